/* output.h - the report's output formats: table, json, csv, folded, pprof, svg. */
#ifndef CT_REPORT_OUTPUT_H
#define CT_REPORT_OUTPUT_H

#include <stdio.h>

#include "aggregate.h"

struct ct_outopts {
	enum ct_by by;
	int by_set;               /* --by given */
	size_t top;               /* 0: all rows */
};

void ct_output_table(FILE *f, const struct ct_report *r, const struct ct_outopts *o);
void ct_output_json(FILE *f, const struct ct_report *r, const struct ct_outopts *o);
void ct_output_csv(FILE *f, const struct ct_report *r, const struct ct_outopts *o);
void ct_output_folded(FILE *f, const struct ct_report *r, const struct ct_outopts *o);
void ct_output_svg(FILE *f, const struct ct_report *r, const struct ct_outopts *o);
/* the Chrome trace event format: a timeline for Perfetto (trace.c) */
void ct_output_trace(FILE *f, const struct ct_report *r, const struct ct_outopts *o);
/* Returns 0, or -1 when the profile could not be written (said on stderr). */
int ct_output_pprof(FILE *f, const struct ct_report *r, const struct ct_outopts *o);

/* s as a JSON string (null when NULL), valid UTF-8 whatever the bytes. */
void ct_json_str(FILE *f, const char *s);

/* s in exactly width columns: padded, or cut from the left behind "...". */
void ct_put_name(FILE *f, const char *s, size_t width);

/* Names of enum ct_by values, indexed by value. */
extern const char *const ct_by_names[];

#endif
