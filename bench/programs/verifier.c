/*
 * Programs for bench/verifier.ts: what the verifier's time depends on, each in one XDP program.
 *   branches:  about 4,000 instructions, a long chain of data-dependent if/else blocks (pruning
 *              must merge the two sides of every block, or the paths double at each one)
 *   loop:      a bounded loop of 1,000 iterations with a branch in its body (precision: the
 *              accumulator's value must not keep loop states apart)
 *   parser:    20 nested headers, each behind its own data + N > data_end check
 *   big:       a loop whose verification processes close to 1,000,000 instructions (peak memory)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define B1(k) \
	do { \
		unsigned char b = p[(k) % 64]; \
		if (b & (1 << ((k) % 8))) \
			acc = acc * 31 + (k) + b; \
		else \
			acc = (acc ^ (k * 0x9e3779b1u)) >> 1; \
	} while (0)
#define B4(k) B1(k); B1(k + 1); B1(k + 2); B1(k + 3)
#define B16(k) B4(k); B4(k + 4); B4(k + 8); B4(k + 12)
#define B64(k) B16(k); B16(k + 16); B16(k + 32); B16(k + 48)

SEC("xdp")
int branches(struct xdp_md *ctx)
{
	/* volatile: each block loads its byte again, so clang keeps no 64 loaded values alive */
	volatile unsigned char *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned long acc = 0;

	if ((void *)(p + 64) > end)
		return XDP_PASS;
	B64(0); B64(64); B64(128); B64(192); B64(256); B64(320);
	B16(384);
	return acc & 3;
}

SEC("xdp")
int loop(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned long x, odd = 0;
	int i;

	if ((void *)(p + 8) > end)
		return XDP_PASS;
	x = *(unsigned long *)p;
#pragma clang loop unroll(disable)
	for (i = 0; i < 1000; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		if (x >> 63)
			odd += i;
		else
			odd ^= x;
	}
	return odd & 3;
}

#define HDR(n) \
	h = (void *)(p + off); \
	if ((void *)(h + 1) > end) \
		return XDP_DROP; \
	if (h->type != (n)) \
		return n; \
	off += sizeof(*h);

struct hdr {
	unsigned char type;
	unsigned char flags;
	unsigned short len;
};

SEC("xdp")
int parser(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct hdr *h;
	unsigned int off = 0, sum = 0;

	HDR(1) sum += h->len;
	HDR(2) sum += h->len;
	HDR(3) sum ^= h->flags;
	HDR(4) sum += h->len;
	HDR(5) sum += h->len;
	HDR(6) sum ^= h->flags;
	HDR(7) sum += h->len;
	HDR(8) sum += h->len;
	HDR(9) sum ^= h->flags;
	HDR(10) sum += h->len;
	HDR(11) sum += h->len;
	HDR(12) sum ^= h->flags;
	HDR(13) sum += h->len;
	HDR(14) sum += h->len;
	HDR(15) sum ^= h->flags;
	HDR(16) sum += h->len;
	HDR(17) sum += h->len;
	HDR(18) sum ^= h->flags;
	HDR(19) sum += h->len;
	HDR(20) sum += h->len;
	return sum & 3;
}

#ifndef BIG_ITERS
#define BIG_ITERS 24000
#endif

SEC("xdp")
int big(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned long a, b = 0, c = 0;
	int i;

	if ((void *)(p + 64) > end)
		return XDP_PASS;
	a = *(unsigned long *)p;
#pragma clang loop unroll(disable)
	for (i = 0; i < BIG_ITERS; i++) {
		unsigned char v = p[i & 63];
		a = a * 6364136223846793005ul + v;
		b += a >> 17;
		c ^= b << 3;
		a ^= c >> 11;
		b = (b << 7) | (b >> 57);
		c += a * 3;
		a -= b ^ c;
		b ^= a + 0x9e3779b97f4a7c15ul;
		c = (c >> 5) + (c << 59);
		a += c;
	}
	return (a ^ b ^ c) & 3;
}

char LICENSE[] SEC("license") = "GPL";
