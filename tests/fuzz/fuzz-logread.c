/* fuzz-logread.c - libFuzzer target: any bytes through the log parser (make fuzz). */
#include <stddef.h>
#include <stdint.h>

#include "logread.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_log log;
	size_t i, n = 0;

	ct_quiet = 1;
	ct_log_parse(data, size, "fuzz", &log);
	/* touch what the parser built, so bad pointers and lengths show */
	for (i = 0; i < log.npages; i++)
		if (log.pages[i].module < log.nmods && log.pages[i].nframes)
			n += (size_t)log.pages[i].frames[log.pages[i].nframes - 1];
	for (i = 0; i < log.nmods; i++)
		if (log.mods[i].nranges)
			n += (size_t)log.mods[i].ranges[log.mods[i].nranges - 1].end;
	for (i = 0; i < log.nnotes; i++)
		n += log.notes[i].text[log.notes[i].len];
	for (i = 0; i < log.argc; i++)
		n += log.argv[i][0];
	sink = n;
	ct_log_free(&log);
	return 0;
}
