/*
 * The user-space target of test/kernel-attach.test.ts, built with gcc at test time: a function
 * for uprobes (noinline, so every call is a call) and a USDT probe (<sys/sdt.h>) in a loop that
 * runs argv[1] times; the probe's first argument is the loop index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

__attribute__((noinline)) int tsbpf_target_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long sum = 0;

	for (int i = 0; i < n; i++) {
		sum += tsbpf_target_add(i, 7);
		DTRACE_PROBE2(tsbpf, tick, i, sum);
	}
	printf("%ld\n", sum);
	return 0;
}
