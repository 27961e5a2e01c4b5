/* seccomp-run.c - runs a command under a seccomp filter that makes
 * mprotect() fail with EPERM unless the dynamic loader calls it (ld.so must
 * apply RELRO, or no program starts).  The filter sends every mprotect to
 * this supervisor (SECCOMP_RET_USER_NOTIF), which looks the calling
 * instruction up in /proc/PID/maps.  Exits with the command's status, or
 * prints "signal N" and exits 128+N.
 *   seccomp-run COMMAND [ARG...] */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int send_fd(int sock, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { 0 };
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof ctl;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { 0 };
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof ctl;
	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int fd;
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

/* Is ip inside the dynamic loader's mappings of process pid? */
static int in_loader(pid_t pid, uint64_t ip)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "re");
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && ip >= lo && ip < hi) {
			found = strstr(line, "/ld-linux") != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

static void supervise(int listener)
{
	struct seccomp_notif_sizes sz;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) != 0)
		return;
	struct seccomp_notif *req = calloc(1, sz.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sz.seccomp_notif_resp);
	if (!req || !resp)
		return;
	for (;;) {
		struct pollfd p = { listener, POLLIN, 0 };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (!(p.revents & POLLIN))
			return;           /* POLLHUP: no process uses the filter any more */
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0)
			continue;
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		if (in_loader((pid_t)req->pid, req->data.instruction_pointer)) {
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		} else {
			resp->error = -EPERM;
		}
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
}

int main(int argc, char **argv)
{
	int sv[2];
	if (argc < 2) {
		fprintf(stderr, "usage: seccomp-run COMMAND [ARG...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 2;
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(sv[0]);
		int l = install_filter();
		if (l < 0 || send_fd(sv[1], l) != 0) {
			fprintf(stderr, "seccomp-run: cannot install the filter: %s\n", strerror(errno));
			_exit(125);
		}
		close(l);
		close(sv[1]);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	close(sv[1]);
	int l = recv_fd(sv[0]);
	close(sv[0]);
	if (l >= 0) {
		supervise(l);
		close(l);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 2;
	if (WIFSIGNALED(st)) {
		printf("signal %d\n", WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}
