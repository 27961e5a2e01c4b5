/* pagemap-dirty.h - the test oracles' one rule for a private-dirty page in
 * a /proc/PID/pagemap entry, as the kernel counts private memory: present,
 * anonymous (not file-backed or shared, bit 61) and mapped by this process
 * alone (bit 56), or swapped (bit 62) -- unless that swap entry is a
 * userfaultfd write-protect marker on a page never populated (uffd-wp bit
 * 57, swap type 31; frame bits zero when not root), which is no memory. */
#ifndef PAGEMAP_DIRTY_H
#define PAGEMAP_DIRTY_H

#include <stdint.h>

static inline int pagemap_dirty(uint64_t e)
{
	if (e & (1ULL << 62))
		return !((e & (1ULL << 57)) && ((e & 0x1f) == 0x1f || !(e & ((1ULL << 55) - 1))));
	return (e & (1ULL << 63)) && !(e & (1ULL << 61)) && (e & (1ULL << 56));
}

#endif
