/* deny-run.c - runs a command under a seccomp filter that makes one system
 * call fail with EPERM (as a container's profile may), so that the scan
 * and perf backends' fallbacks can be tested; with "kill:" the call kills
 * the process instead (as a service manager's SystemCallFilter does).
 *   deny-run [kill:]userfaultfd|[kill:]perf_event_open COMMAND [ARG...] */
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
	const char *call = argc > 1 ? argv[1] : "";
	if (!strncmp(call, "kill:", 5)) {
		call += 5;
		f[5].k = SECCOMP_RET_KILL_PROCESS;
	}
	if (argc < 3 || (strcmp(call, "userfaultfd") && strcmp(call, "perf_event_open"))) {
		fprintf(stderr, "usage: deny-run [kill:]userfaultfd|[kill:]perf_event_open COMMAND [ARG...]\n");
		return 2;
	}
	f[4].k = strcmp(call, "userfaultfd") ? SYS_perf_event_open : SYS_userfaultfd;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("deny-run: seccomp");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("deny-run: exec");
	return 127;
}
