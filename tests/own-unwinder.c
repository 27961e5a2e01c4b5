/* own-unwinder - a program that brings its own unwinder (LLVM's libunwind,
 * linked by path) and walks its own stack with _Unwind_Backtrace while
 * writing a global.  Prints the number of frames it saw and a checksum. */
#include <stdio.h>
#include <unwind.h>

static int frames;
static char table[5 * 4096] = { 1 };

static _Unwind_Reason_Code count(struct _Unwind_Context *ctx, void *arg)
{
	(void)arg;
	if (_Unwind_GetIP(ctx))
		frames++;
	return _URC_NO_REASON;
}

__attribute__((noinline)) static int walk(int depth)
{
	if (depth)
		return walk(depth - 1) + 1;
	_Unwind_Backtrace(count, NULL);
	return 0;
}

int main(void)
{
	for (int i = 0; i < 5; i++)
		table[i * 4096] = (char)i;
	int d = walk(10);
	printf("depth %d frames>=12 %d sum %d\n", d, frames >= 12, table[4096] + table[4 * 4096]);
	return 0;
}
