/*
 * sieve: a CPU-bound multiboot guest for benchmarks.  Counts the primes
 * below "n=" (default 2000000) "rounds=" times (default 5), prints the
 * count and the TSC ticks the rounds took, and exits through isa-debug-exit
 * with 0.
 */
#include "guest.h"

#define MAX_N 8000000u

static uint8_t composite[MAX_N];

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t sieve(uint32_t n)
{
    uint32_t count = 0;

    memset(composite, 0, n);
    for (uint32_t i = 2; i < n; i++) {
        if (composite[i]) {
            continue;
        }
        count++;
        for (uint32_t j = i * 2; j < n; j += i) {
            composite[j] = 1;
        }
    }
    return count;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
    uint32_t n = 2000000, rounds = 5, count = 0;
    uint64_t t0, t1;

    uart_init();
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC) {
        cmdline_uint(mbi, "n", &n);
        cmdline_uint(mbi, "rounds", &rounds);
    }
    if (n > MAX_N || n < 2) {
        printf("sieve: n must be 2..%u\n", MAX_N);
        return 1;
    }
    t0 = rdtsc();
    for (uint32_t r = 0; r < rounds; r++) {
        count = sieve(n);
    }
    t1 = rdtsc();
    printf("sieve: %u primes below %u (%u rounds)\n", count, n, rounds);
    /* On minivm's interpreter the TSC counts retired instructions (bench/cpu-bench). */
    printf("sieve: rdtsc delta %llu\n", t1 - t0);
    return 0;
}
