/* audit.c - libcowtrace-audit.so, the rtld-audit side (LD_AUDIT).  It lives
 * in a namespace of its own with its own libc, so it does no tracing: it
 * only tells the preloaded libcowtrace.so when the loader's lists change. */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

extern char **environ;

static struct link_map *core;          /* libcowtrace.so in the main namespace */
static int started;
static int exiting;                    /* _dl_fini has begun */
static void (*on_startup)(char **);
static void (*on_consistent)(void);
static void (*on_close)(uintptr_t, const void *);

unsigned int la_version(unsigned int version)
{
	return version < LAV_CURRENT ? version : LAV_CURRENT;
}

static int is_core(const char *name)
{
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	return strcmp(b, "libcowtrace.so") == 0;
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	(void)cookie;
	if (!core && lmid == LM_ID_BASE && map->l_name && is_core(map->l_name))
		core = map;
	return 0;
}

/* dlsym() cannot take an object of another namespace that was not opened
 * with dlopen, so look the core's few entry points up in its dynamic symbol
 * table (GNU hash: its chains give the number of symbols). */
static void *core_symbol(const char *name)
{
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const uint32_t *gnu = NULL;
	for (const ElfW(Dyn) *d = core->l_ld; d->d_tag != DT_NULL; d++) {
		uintptr_t p = d->d_un.d_ptr;
		if (p < core->l_addr)
			p += core->l_addr;      /* not adjusted by the loader */
		if (d->d_tag == DT_SYMTAB)
			symtab = (const ElfW(Sym) *)p;
		else if (d->d_tag == DT_STRTAB)
			strtab = (const char *)p;
		else if (d->d_tag == DT_GNU_HASH)
			gnu = (const uint32_t *)p;
	}
	if (!symtab || !strtab || !gnu)
		return NULL;
	uint32_t nbuckets = gnu[0], symoff = gnu[1], bloom = gnu[2];
	const uint32_t *buckets = gnu + 4 + bloom * (sizeof(ElfW(Addr)) / 4);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t nsyms = symoff;
	for (uint32_t b = 0; b < nbuckets; b++)
		if (buckets[b] >= nsyms) {
			uint32_t i = buckets[b];
			while (!(chain[i - symoff] & 1))
				i++;
			nsyms = i + 1;
		}
	for (uint32_t i = 0; i < nsyms; i++)
		if (symtab[i].st_value && symtab[i].st_shndx != SHN_UNDEF &&
		    strcmp(strtab + symtab[i].st_name, name) == 0)
			return (void *)(core->l_addr + symtab[i].st_value);
	return NULL;
}

static void resolve(void)
{
	if (!core || on_startup)
		return;
	on_startup = (void (*)(char **))core_symbol("cowtrace_audit_startup");
	on_consistent = (void (*)(void))core_symbol("cowtrace_audit_consistent");
	on_close = (void (*)(uintptr_t, const void *))core_symbol("cowtrace_audit_close");
}

void la_activity(uintptr_t *cookie, unsigned int flag)
{
	(void)cookie;
	if (flag != LA_ACT_CONSISTENT || exiting)
		return;
	resolve();
	if (!started) {
		started = 1;
		if (on_startup)
			on_startup(environ);
	} else if (on_consistent) {
		on_consistent();
	}
}

/* Only a dlclose unmaps.  At exit, _dl_fini reports every object closed
 * (the executable first: it heads the base namespace and is never
 * dlclosed) but leaves them mapped, and destructors still write to them. */
unsigned int la_objclose(uintptr_t *cookie)
{
	struct link_map *map = (struct link_map *)*cookie;
	if (!map->l_prev && map->l_name && !map->l_name[0])
		exiting = 1;
	if (!exiting && on_close && map != core)
		on_close(map->l_addr, NULL);
	return 0;
}
