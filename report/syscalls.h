/* syscalls.h - names of the x86_64 system calls through which the kernel writes user memory. */
#ifndef CT_REPORT_SYSCALLS_H
#define CT_REPORT_SYSCALLS_H

/* "read", "recvmsg", ...; NULL when not in the table. */
const char *ct_syscall_name(unsigned nr);

#endif
