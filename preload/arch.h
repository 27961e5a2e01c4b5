/* arch.h - per-architecture details of a fault (which instruction, was it
 * a write) and the raw system call instruction.  One small block per
 * architecture; nothing else in preload/ knows about registers. */
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

/* Is addr a thread-local block of the static TLS area?  Variant II: the
 * blocks of the modules loaded at start lie just below the thread pointer
 * (a few KiB, bounded here generously); dynamic ones are allocated. */
static inline int ct_arch_tls_is_static(const void *addr)
{
	uintptr_t tp = (uintptr_t)__builtin_thread_pointer(), a = (uintptr_t)addr;
	return a < tp && tp - a < (1u << 20);
}

/* SIGNAL-SAFE: the kernel's result (-errno on failure). */
static inline long ct_arch_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
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

/* Variant I: static blocks lie just above the thread pointer. */
static inline int ct_arch_tls_is_static(const void *addr)
{
	uintptr_t tp = (uintptr_t)__builtin_thread_pointer(), a = (uintptr_t)addr;
	return a >= tp && a - tp < (1u << 20);
}

static inline long ct_arch_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

#else
#error "cowtrace: unsupported architecture (add a block to preload/arch.h)"
#endif

#endif
