// FNV-1a 64 over a frame in native code (the host's C compiler, -O2): the floor a JIT can reach on
// bench/jit/progs.c's fnv1a, whose every byte waits for the xor and the multiply of the one
// before. Usage: fnv-native FRAME_FILE RUNS; prints {"ns_per_run":N,"retval":R} (R folded as
// the XDP program folds it), timed in CPU time as bench/jit.ts times tsbpf.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n && i < 1500; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int main(int argc, char **argv)
{
	static unsigned char frame[65536];
	if (argc != 3) {
		fprintf(stderr, "usage: %s FRAME_FILE RUNS\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size_t len = fread(frame, 1, sizeof frame, f);
	fclose(f);
	long runs = atol(argv[2]);
	uint64_t h = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (long i = 0; i < runs; i++) {
		// The frame may have changed, as far as the compiler knows: each run hashes it again.
		__asm__ volatile("" : : "r"(frame) : "memory");
		h = fnv1a(frame, len);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("{\"ns_per_run\":%.1f,\"retval\":%u}\n", ns / (double)runs, (unsigned)(uint32_t)(h ^ (h >> 32)));
	return 0;
}
