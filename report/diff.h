/* diff.h - `cowtrace-report diff RUN_A RUN_B`: what changed between two runs. */
#ifndef CT_REPORT_DIFF_H
#define CT_REPORT_DIFF_H

/* argv[0] is "diff".  Exit status: 0, 1 when --fail-if-more is exceeded,
 * 2 on usage errors or a run without a usable log. */
int ct_diff_main(int argc, char **argv);

#endif
