/*
 * libqtest: start minivm in qtest mode and speak the qtest protocol to
 * it, with QEMU's libqtest function names so device tests read alike.
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

typedef struct QTestState QTestState;

/*
 * Start $QTEST_QEMU_BINARY with "-qtest unix:PATH -qtest-log /dev/null
 * -chardev socket,path=PATH.qmp,id=char0 -mon chardev=char0,mode=control
 * -display none -accel qtest" plus @extra_args (shell words).  The test
 * listens on both sockets and minivm connects, as in QEMU's libqtest;
 * QMP capabilities are negotiated before this returns.
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SIGTERM, wait, and free; asserts that minivm exited 0. */
void qtest_quit(QTestState *s);
/* Wait for minivm to exit by itself; returns its wait status. */
int qtest_wait_qemu(QTestState *s);
pid_t qtest_pid(QTestState *s);

/* Send one raw request line (no newline) and return the reply line (g_free it). */
char *qtest_raw_cmd(QTestState *s, const char *line);
/* Send a request that is expected to end minivm (no reply is read). */
void qtest_raw_cmd_noreply(QTestState *s, const char *line);

/* Send a QMP command (printf-formatted JSON) and return the reply (json_decref it). */
json_t *qtest_qmp(QTestState *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void qtest_outb(QTestState *s, uint16_t addr, uint8_t value);
void qtest_outw(QTestState *s, uint16_t addr, uint16_t value);
void qtest_outl(QTestState *s, uint16_t addr, uint32_t value);
uint8_t qtest_inb(QTestState *s, uint16_t addr);
uint16_t qtest_inw(QTestState *s, uint16_t addr);
uint32_t qtest_inl(QTestState *s, uint16_t addr);

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data, size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data, size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t patt, size_t size);

int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_set(QTestState *s, int64_t val);

void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/* Level of intercepted line @num as last reported by "IRQ raise/lower". */
bool qtest_get_irq(QTestState *s, int num);
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name, int num,
                      int level);

#endif
