/* debuginfod.c - separate debug files fetched by build-id from the servers
 * DEBUGINFOD_URLS names (libdebuginfod, the client perf, gdb and valgrind
 * use), cached where DEBUGINFOD_CACHE_PATH says (default
 * ~/.cache/debuginfod_client).  Without DEBUGINFOD_URLS nothing is
 * contacted.  Long downloads show their progress on stderr when it is a
 * terminal. */
#include <elfutils/debuginfod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfod.h"
#include "util.h"

static debuginfod_client *client;
static int tried;

static int progress(debuginfod_client *c, long done, long total)
{
	(void)c;
	if (total > 0)
		fprintf(stderr, "\rcowtrace-report: fetching debug info: %ld of %ld KiB ", done / 1024,
			total / 1024);
	else
		fprintf(stderr, "\rcowtrace-report: fetching debug info: %ld KiB ", done / 1024);
	return 0;
}

int ct_debuginfod_find(const uint8_t *bid, size_t len, char **path)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	*path = NULL;
	if (!urls || !*urls || !len)
		return 0;
	if (!tried) {
		tried = 1;
		client = debuginfod_begin();
		if (!client)
			ct_err(NULL, "DEBUGINFOD_URLS is set but the debuginfod client could not start");
		else if (isatty(STDERR_FILENO))
			debuginfod_set_progressfn(client, progress);
	}
	if (!client)
		return 0;
	int fd = debuginfod_find_debuginfo(client, bid, (int)len, path);
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	if (fd < 0) {
		free(*path);
		*path = NULL;
		return 0;
	}
	close(fd);
	return 1;
}

void ct_debuginfod_end(void)
{
	if (client)
		debuginfod_end(client);
	client = NULL;
	tried = 0;
}
