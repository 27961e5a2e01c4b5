/* lines.h - source file and line of code addresses (libdwfl), with debug info found the standard ways. */
#ifndef CT_REPORT_LINES_H
#define CT_REPORT_LINES_H

#include <stdint.h>

#include "symbols.h"

/* File and line of ELF address addr of e: debug info from the file itself,
 * .gnu_debuglink, or /usr/lib/debug/.build-id.  Returns 1 and sets *file
 * (valid until ct_lines_free) and *line, or 0 when unknown.  Results,
 * negative ones included, are cached per (object, address). */
int ct_line(const struct ct_elf *e, uint64_t addr, const char **file, int *line);

void ct_lines_free(void);

#endif
