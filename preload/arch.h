/* arch.h - per-architecture details of a fault: which instruction, was it a
 * write.  One small block per architecture; nothing else in preload/ knows
 * about registers. */
#ifndef CT_ARCH_H
#define CT_ARCH_H

#include <stdint.h>
#include <ucontext.h>

#if defined(__x86_64__)

/* SIGNAL-SAFE */
static inline uintptr_t ct_arch_ip(const ucontext_t *uc)
{
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
}

/* SIGNAL-SAFE: the interrupted stack pointer; below it the kernel leaves a
 * red zone when it pushes a signal frame. */
static inline uintptr_t ct_arch_sp(const ucontext_t *uc)
{
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
}
#define CT_ARCH_RED_ZONE 128

/* SIGNAL-SAFE: page-fault error code bit 1 is "caused by a write". */
static inline int ct_arch_is_write(const ucontext_t *uc)
{
	return (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
}

#elif defined(__aarch64__)

static inline uintptr_t ct_arch_ip(const ucontext_t *uc)
{
	return (uintptr_t)uc->uc_mcontext.pc;
}

static inline uintptr_t ct_arch_sp(const ucontext_t *uc)
{
	return (uintptr_t)uc->uc_mcontext.sp;
}
#define CT_ARCH_RED_ZONE 0

/* The ESR is in the extended context; without parsing it, treat every
 * permission fault on a tracked page as a write (reads never fault there). */
static inline int ct_arch_is_write(const ucontext_t *uc)
{
	(void)uc;
	return 1;
}

#else
#error "cowtrace: unsupported architecture (add a block to preload/arch.h)"
#endif

#endif
