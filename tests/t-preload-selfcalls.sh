#!/bin/sh
# t-preload-selfcalls.sh - libcowtrace.so exports wrappers of libc functions
# (read, syscall, clock_gettime, ...); a call from inside the library to one
# of those names binds to the wrapper, not to libc, and the wrapper may do
# what the tracer must not do there (look the real function up with dlsym
# inside the SIGSEGV handler, claim pages, finish the log in a probe child).
# The tracer's own calls use ct_syscall() or pointers resolved at start.
# Fails when the library calls (or tail-calls) through its PLT a name it
# also defines, other than the few calls below that want the wrapper.
. tests/lib.sh
[ -f "$LIB" ] || skip "build the tracer first (make all)"
command -v objdump >/dev/null || skip "no objdump"

# wanted: _Exit is _exit (which finishes the log), bsd_signal is signal,
# mmap64 is mmap, execl/execlp/execle are execv/execvp/execve, _longjmp
# and siglongjmp are longjmp; the dlopen emulation drops its RTLD_NOLOAD reference
# through dlclose; the start-up probe
# (not in a signal handler) uses pipe2 and waitpid on its own stack.
allowed="_exit signal mmap execv execvp execve longjmp dlclose pipe2 waitpid"

nm -D --defined-only "$LIB" | awk '{print $3}' | sort -u >"$T/exported"
objdump -d "$LIB" | sed -nE 's/.*(call|jmp) +[0-9a-f]+ <([^@>+]+)@plt>.*/\2/p' |
	sort -u >"$T/called"
CHECK "objdump found PLT calls" [ -s "$T/called" ]
comm -12 "$T/exported" "$T/called" >"$T/self"
for name in $(cat "$T/self"); do
	case " $allowed " in
	*" $name "*) echo "allowed: $name" ;;
	*) CHECK "no call to our own wrapper $name from inside the library" false ;;
	esac
done
done_test
