/* uffd-compat.h - what Debian 12's kernel headers (linux-libc-dev 6.1) lack
 * of the running kernel's userfaultfd and PAGEMAP_SCAN interfaces (6.7+). */
#ifndef CT_UFFD_COMPAT_H
#define CT_UFFD_COMPAT_H

#include <stdint.h>
#include <sys/ioctl.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end;            /* [start, end) */
	uint64_t categories;            /* PAGE_IS_* */
};
struct pm_scan_arg {
	uint64_t size;                  /* sizeof(struct pm_scan_arg) */
	uint64_t flags;                 /* PM_SCAN_* */
	uint64_t start, end;
	uint64_t walk_end;              /* where the walk stopped (written) */
	uint64_t vec, vec_len;          /* struct page_region[vec_len] */
	uint64_t max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN      _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN   (1 << 1)
#endif

#endif
