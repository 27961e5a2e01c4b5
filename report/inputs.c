/* inputs.c - expand LOG_OR_DIR arguments into log files and parse them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inputs.h"
#include "util.h"

struct files {
	char **v;
	size_t n, cap;
};

static void add_file(struct files *fl, const char *path)
{
	ct_grow(&fl->v, &fl->cap, fl->n + 1, sizeof(*fl->v));
	fl->v[fl->n++] = ct_xstrdup(path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.cwt in dir, sorted by name. */
static void add_dir(struct files *fl, const char *dir)
{
	struct dirent *de;
	size_t first = fl->n;
	DIR *d = opendir(dir);

	if (!d) {
		ct_err(dir, "%s", strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *path;

		if (len < 5 || strcmp(de->d_name + len - 4, ".cwt") != 0)
			continue;
		path = ct_xmalloc(strlen(dir) + len + 2);
		sprintf(path, "%s/%s", dir, de->d_name);
		add_file(fl, path);
		free(path);
	}
	closedir(d);
	if (fl->n > first)
		qsort(fl->v + first, fl->n - first, sizeof(*fl->v), str_cmp);
	if (fl->n == first)
		ct_err(dir, "no *.cwt logs in this directory");
}

size_t ct_inputs_read(struct ct_inputs *in, char *const *paths, size_t n)
{
	struct files fl = { NULL, 0, 0 };
	size_t i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			add_dir(&fl, paths[i]);
		else
			add_file(&fl, paths[i]);
	}
	in->logs = ct_xcalloc(fl.n, sizeof(*in->logs));
	for (i = 0; i < fl.n; i++) {
		if (ct_log_read_file(fl.v[i], &in->logs[in->n]) == 0)
			in->n++;
		else
			ct_log_free(&in->logs[in->n]);
		free(fl.v[i]);
	}
	free(fl.v);
	return in->n;
}

void ct_inputs_free(struct ct_inputs *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		ct_log_free(&in->logs[i]);
	free(in->logs);
	memset(in, 0, sizeof(*in));
}
