/*
 * Freestanding helpers shared by the test guests.
 */
#include "guest.h"

#define COM1            0x3f8
#define UART_LSR_THRE   0x20
#define DEBUG_EXIT_PORT 0xf4

void *memset(void *s, int c, size_t n)
{
    uint8_t *p = s;
    while (n--) {
        *p++ = (uint8_t)c;
    }
    return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *pa = a, *pb = b;
    for (; n; n--, pa++, pb++) {
        if (*pa != *pb) {
            return *pa < *pb ? -1 : 1;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a) {
            return (uint8_t)*a - (uint8_t)*b;
        }
    }
    return 0;
}

void uart_init(void)
{
    outb(COM1 + 1, 0x00);       /* no interrupts: we poll */
    outb(COM1 + 3, 0x80);       /* DLAB to set the divisor */
    outb(COM1 + 0, 0x01);       /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0x07);       /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03);       /* DTR, RTS */
}

static void putc_raw(char c)
{
    /* Bounded so a broken UART model cannot hang the guest forever. */
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & UART_LSR_THRE); i++) {
    }
    outb(COM1, (uint8_t)c);
}

void putstr(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            putc_raw('\r');
        }
        putc_raw(*s);
    }
}

/* 64-by-10 division without libgcc (which -m32 builds do not have). */
static uint32_t divmod10(uint64_t *v)
{
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((*v >> bit) & 1);
        if (r >= 10) {
            r -= 10;
            q |= 1ull << bit;
        }
    }
    *v = q;
    return (uint32_t)r;
}

static void put_number(uint64_t v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = base == 16 ? (unsigned)(v & 15) : divmod10(&v);
        if (base == 16) {
            v >>= 4;
        }
        buf[n++] = "0123456789abcdef"[d];
    } while (v);
    while (n < width) {
        buf[n++] = pad;
    }
    while (n) {
        char s[2] = { buf[--n], 0 };
        putstr(s);
    }
}

void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            char s[2] = { *fmt, 0 };
            putstr(s);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 's':
            putstr(va_arg(ap, const char *));
            break;
        case 'c': {
            char s[2] = { (char)va_arg(ap, int), 0 };
            putstr(s);
            break;
        }
        case 'd': {
            int64_t v = longs >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                putstr("-");
                v = -v;
            }
            put_number((uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_number(v, *fmt == 'x' ? 16 : 10, width, pad);
            break;
        }
        default:
            putstr("%");
            if (!*fmt) {
                fmt--;
            }
            break;
        }
    }
    va_end(ap);
}

void guest_exit(int code)
{
    /* isa-debug-exit turns value v into exit status (v << 1) | 1. */
    outb(DEBUG_EXIT_PORT, (uint8_t)code);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

int cmdline_uint(const struct multiboot_info *mbi, const char *key, uint32_t *val)
{
    if (!(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline) {
        return 0;
    }
    const char *p = (const char *)(uintptr_t)mbi->cmdline;
    size_t klen = strlen(key);
    while (*p) {
        if ((p == (const char *)(uintptr_t)mbi->cmdline || p[-1] == ' ') &&
            !strncmp(p, key, klen) && p[klen] == '=') {
            uint32_t v = 0;
            for (p += klen + 1; *p >= '0' && *p <= '9'; p++) {
                v = v * 10 + (uint32_t)(*p - '0');
            }
            *val = v;
            return 1;
        }
        p++;
    }
    return 0;
}
