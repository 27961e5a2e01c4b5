/* syscalls.c - x86_64 system call numbers to names, for the "via" field. */
#include <stddef.h>

#include "syscalls.h"

/* x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl); the log is
 * written on the machine the report runs on, which is x86_64 for now. */
static const struct {
	unsigned nr;
	const char *name;
} table[] = {
	{ 0, "read" },             { 4, "stat" },           { 5, "fstat" },
	{ 6, "lstat" },            { 7, "poll" },           { 13, "rt_sigaction" },
	{ 14, "rt_sigprocmask" },  { 16, "ioctl" },         { 17, "pread64" },
	{ 19, "readv" },           { 22, "pipe" },          { 23, "select" },
	{ 35, "nanosleep" },       { 36, "getitimer" },     { 38, "setitimer" },
	{ 43, "accept" },          { 45, "recvfrom" },      { 47, "recvmsg" },
	{ 51, "getsockname" },     { 52, "getpeername" },   { 53, "socketpair" },
	{ 55, "getsockopt" },      { 61, "wait4" },         { 63, "uname" },
	{ 72, "fcntl" },           { 78, "getdents" },      { 79, "getcwd" },
	{ 89, "readlink" },        { 96, "gettimeofday" },  { 97, "getrlimit" },
	{ 98, "getrusage" },       { 99, "sysinfo" },       { 100, "times" },
	{ 115, "getgroups" },      { 118, "getresuid" },    { 120, "getresgid" },
	{ 127, "rt_sigpending" },  { 128, "rt_sigtimedwait" }, { 131, "sigaltstack" },
	{ 137, "statfs" },         { 138, "fstatfs" },      { 201, "time" },
	{ 204, "sched_getaffinity" }, { 217, "getdents64" }, { 228, "clock_gettime" },
	{ 229, "clock_getres" },   { 230, "clock_nanosleep" }, { 232, "epoll_wait" },
	{ 247, "waitid" },         { 262, "newfstatat" },   { 267, "readlinkat" },
	{ 270, "pselect6" },       { 271, "ppoll" },        { 281, "epoll_pwait" },
	{ 288, "accept4" },        { 293, "pipe2" },        { 295, "preadv" },
	{ 299, "recvmmsg" },       { 302, "prlimit64" },    { 318, "getrandom" },
	{ 70, "msgrcv" },          { 143, "sched_getparam" }, { 148, "sched_rr_get_interval" },
	{ 157, "prctl" },          { 191, "getxattr" },     { 192, "lgetxattr" },
	{ 193, "fgetxattr" },      { 194, "listxattr" },    { 195, "llistxattr" },
	{ 196, "flistxattr" },     { 223, "timer_settime" }, { 224, "timer_gettime" },
	{ 243, "mq_timedreceive" }, { 286, "timerfd_settime" }, { 287, "timerfd_gettime" },
	{ 309, "getcpu" },
	{ 327, "preadv2" },        { 332, "statx" },        { 441, "epoll_pwait2" },
	{ 56, "clone" },	/* parent_tid, child_tid: preload/hooks.c */
};

const char *ct_syscall_name(unsigned nr)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].nr == nr)
			return table[i].name;
	return NULL;
}
