/* deny-run.c - runs a command under a seccomp filter that makes one system
 * call fail with EPERM (as a container's profile may), so that the scan
 * and perf backends' fallbacks can be tested.
 *   deny-run userfaultfd|perf_event_open COMMAND [ARG...] */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),   /* nr, set below */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (argc < 3 || (strcmp(argv[1], "userfaultfd") && strcmp(argv[1], "perf_event_open"))) {
		fprintf(stderr, "usage: deny-run userfaultfd|perf_event_open COMMAND [ARG...]\n");
		return 2;
	}
	f[4].k = strcmp(argv[1], "userfaultfd") ? SYS_perf_event_open : SYS_userfaultfd;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("deny-run: seccomp");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("deny-run: exec");
	return 127;
}
