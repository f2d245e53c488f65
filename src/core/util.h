/* Small helpers: allocation that cannot return NULL, strings, numbers. */
#ifndef CHIPAUDIT_UTIL_H
#define CHIPAUDIT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Say so and exit (CA_ERR_OS, core/error.h): what the x-allocators do when malloc fails. */
_Noreturn void out_of_memory(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* The name messages and usage errors begin with: "chipaudit", or the
 * program's own (chipaudit-collector sets it first thing). */
extern const char *program_name;

/* Print "chipaudit: MESSAGE" on stderr as one line: every control character
 * in it escaped as text_escape does, wherever it came from. */
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, as "chipaudit: note: MESSAGE". */
void note_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Length of the well-formed UTF-8 sequence at P (at most N bytes; RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF) and its code
 * point in *CP, or 0. P[0] is not ASCII. */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);
/* S as text that is safe to show on a terminal (malloc'd): C0 controls, DEL,
 * C1 controls, the Unicode line separators and bidirectional overrides and
 * every byte that is not well-formed UTF-8 become escapes ("\n", "\t",
 * "\x1b", "\u009b"); everything else is kept. For what comes from the
 * machine audited, a report or a file: process names, hostnames, paths. */
char *text_escape(const char *s);
/* S made one line in place: each C0 control character and DEL becomes '?'.
 * For error messages that quote their input (a member name, the text near a
 * JSON syntax error), which a parser promises to keep on one line. */
void text_one_line(char *s);
/* printf to OUT, each string argument (%s) escaped as text_escape does and
 * the format's own text kept: for text output whose layout is the program's
 * and whose values are not. Returns the bytes written or -1. */
int text_printf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int text_vprintf(FILE *out, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

void str_rstrip(char *s);
bool str_starts_with(const char *s, const char *prefix);
/* Both NULL, or the same text. */
bool str_same(const char *a, const char *b);
bool str_is_printable(const char *s);

/* Strict number parsing: the whole string (after optional surrounding
 * whitespace) must be the number; overflow is an error. Return 0 on success. */
int parse_u64(const char *s, int base, uint64_t *out);
int parse_i64(const char *s, int base, int64_t *out);
/* "0x10de" or "10de" -> 0x10de; at most max. */
int parse_hex_u32(const char *s, uint32_t max, uint32_t *out);

/* "0000:17:00.0": 4 to 8 hex digit domain, bus, device (<= 1f), function (<= 7),
 * lowercase, as the kernel names PCI devices. */
bool pci_address_valid(const char *s);

/* The time of the audit: now, or SOURCE_DATE_EPOCH when set (reproducible
 * output for tests, and re-judging a snapshot at the time it was taken). */
time_t audit_clock(void);

/* Lowercase hex of bytes into out (2*n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

#endif
