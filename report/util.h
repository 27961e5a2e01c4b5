/* util.h - small helpers shared by the report tool: allocation, messages, dynamic arrays. */
#ifndef CT_REPORT_UTIL_H
#define CT_REPORT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* When set, ct_err() prints nothing (fuzz targets, benchmarks). */
extern int ct_quiet;

/* "cowtrace-report: FILE: message" on stderr (FILE omitted when NULL). */
void ct_err(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Allocation that cannot fail: out of memory ends the tool. */
void *ct_xmalloc(size_t n);
void *ct_xcalloc(size_t n, size_t size);
void *ct_xrealloc(void *p, size_t n);
char *ct_xstrdup(const char *s);
char *ct_xstrndup(const char *s, size_t n);

/* Grow *arr (elements of size elem) so that it holds at least need. */
void ct_grow(void *arr, size_t *cap, size_t need, size_t elem);

/* Decimal number in [min, max] into *out; -1 if s is not one. */
int ct_parse_num(const char *s, long long min, long long max, long long *out);

/* Length of the valid UTF-8 sequence at s (n bytes left, n >= 1), 0 if invalid. */
size_t ct_utf8_len(const unsigned char *s, size_t n);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void ct_hex(char *out, const uint8_t *bytes, size_t n);

/* 64-bit mixing hash. */
static inline uint64_t ct_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
