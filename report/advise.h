/* advise.h - `cowtrace advise`: packing and relocation advice from a run. */
#ifndef CT_REPORT_ADVISE_H
#define CT_REPORT_ADVISE_H

/* argv[0] is "advise"; returns the exit status. */
int ct_advise_main(int argc, char **argv);

#endif
