# Forwards to meson/ninja in build/.  "make", "make check" and "make run"
# install missing Debian packages first (scripts/install-deps).

BUILD_DIR ?= build
NINJA ?= ninja
MESON ?= meson

.PHONY: all deps check run install clean distclean bench

all: $(BUILD_DIR)/build.ninja
	$(NINJA) -C $(BUILD_DIR)

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja:
	@scripts/install-deps
	./configure --builddir=$(BUILD_DIR)

check: $(BUILD_DIR)/build.ninja
	@scripts/install-deps --test
	$(NINJA) -C $(BUILD_DIR)
	$(MESON) test -C $(BUILD_DIR) --print-errorlogs $(TESTFLAGS)

run: all
	@scripts/run-demo $(BUILD_DIR)

install: all
	$(MESON) install -C $(BUILD_DIR)

bench: all
	@scripts/install-deps --test
	bench/block-bench $(BUILD_DIR)

clean:
	if [ -f $(BUILD_DIR)/build.ninja ]; then $(NINJA) -C $(BUILD_DIR) clean; fi

distclean:
	rm -rf $(BUILD_DIR)
