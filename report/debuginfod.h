/* debuginfod.h - debug files by build-id from DEBUGINFOD_URLS' servers. */
#ifndef CT_REPORT_DEBUGINFOD_H
#define CT_REPORT_DEBUGINFOD_H

#include <stddef.h>
#include <stdint.h>

/* 1 and *path (malloc'd: a file in the client's cache) when a server has
 * the debug file of build-id bid; 0 when none has it, or DEBUGINFOD_URLS
 * is not set (then nothing is contacted). */
int ct_debuginfod_find(const uint8_t *bid, size_t len, char **path);
void ct_debuginfod_end(void);

#endif
