/* inputs.h - the logs named on the command line: files, and directories of *.cwt. */
#ifndef CT_REPORT_INPUTS_H
#define CT_REPORT_INPUTS_H

#include <stddef.h>

#include "logread.h"

struct ct_inputs {
	struct ct_log *logs;      /* the usable ones */
	size_t n;
};

/* Read every log of paths[0..n) (a directory stands for its *.cwt files,
 * sorted by name).  Problems are reported; unusable logs are left out.
 * Returns the number of usable logs. */
size_t ct_inputs_read(struct ct_inputs *in, char *const *paths, size_t n);
void ct_inputs_free(struct ct_inputs *in);

#endif
