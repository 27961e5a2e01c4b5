/* oracle-crash.c - genuine NULL dereferences.
 *   oracle-crash null-write | null-read     dies by SIGSEGV after a few writes
 *   oracle-crash handler OUT    own SA_SIGINFO handler that writes liboracle
 *                               pages and siglongjmps out of NULL derefs;
 *                               then writes the pagemap oracle to OUT
 *   oracle-crash signal OUT     same with signal()
 *   oracle-crash resethand      SA_RESETHAND: first deref caught, second kills */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);
unsigned long oracle_sum(void);

static sigjmp_buf env;
static volatile int caught, next_page = 70;
static volatile uintptr_t last_addr = 1;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	caught++;
	last_addr = (uintptr_t)si->si_addr;
	oracle_page(next_page)[caught] = (char)caught;	/* handler writes a protected page */
	next_page += 3;
	siglongjmp(env, 1);
}

static void on_segv_plain(int sig)
{
	caught++;
	last_addr = 0;
	oracle_page(next_page)[caught] = (char)caught;
	next_page += 3;
	siglongjmp(env, 1);
}

static int deref(int i)
{
	volatile int *volatile p = NULL;
	if (i & 1)
		return *p;
	*p = i;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	oracle_page(1)[0] = 1;
	oracle_page(65)[0] = 1;
	if (!strcmp(mode, "null-write") || !strcmp(mode, "null-read")) {
		printf("before the crash\n");
		fflush(stdout);
		deref(mode[5] == 'r' ? 1 : 0);
		printf("survived a NULL dereference\n");
		return 0;
	}
	if (!strcmp(mode, "handler") || !strcmp(mode, "signal")) {
		if (mode[0] == 'h') {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_sigaction = on_segv;
			sa.sa_flags = SA_SIGINFO;
			sigemptyset(&sa.sa_mask);
			sigaction(SIGSEGV, &sa, NULL);
		} else {
			signal(SIGSEGV, on_segv_plain);
		}
		for (volatile int i = 0; i < 6; i++) {
			if (sigsetjmp(env, 1) == 0) {
				deref(i);
				printf("round %d: no fault\n", i);
			} else {
				printf("round %d: caught %d, addr %#lx\n", i, caught, (unsigned long)last_addr);
			}
			oracle_page(10 + i)[i] = 1;	/* runtime writes between faults */
		}
		struct sigaction cur;
		sigaction(SIGSEGV, NULL, &cur);
		printf("handler still installed: %s\n",
		       (mode[0] == 'h' ? (void *)cur.sa_sigaction == (void *)on_segv
				       : (void *)cur.sa_handler == (void *)on_segv_plain) ? "yes" : "no");
		printf("sum %lx\n", oracle_sum());
		fflush(stdout);
		if (argc > 2 && oracle_dump_file("liboracle.so", argv[2]) < 0)
			return 4;
		return 0;
	}
	if (!strcmp(mode, "resethand")) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
		sigaction(SIGSEGV, &sa, NULL);
		if (sigsetjmp(env, 1) == 0)
			deref(0);
		printf("first fault caught: %d\n", caught);
		struct sigaction cur;
		sigaction(SIGSEGV, NULL, &cur);
		printf("handler reset to default: %s\n", cur.sa_handler == SIG_DFL ? "yes" : "no");
		fflush(stdout);
		if (sigsetjmp(env, 1) == 0)
			deref(1);
		printf("second fault caught: %d\n", caught);
		return 0;
	}
	fprintf(stderr, "usage: oracle-crash null-write|null-read|handler OUT|signal OUT|resethand\n");
	return 2;
}
