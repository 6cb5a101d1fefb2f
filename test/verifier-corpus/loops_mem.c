/*
 * Bounded loops as C code writes them (test/verifier-corpus.test.ts): the verifier explores every
 * iteration, so a loop is accepted when each iteration's memory accesses are in bounds and the loop
 * ends within the instruction budget. The comment above each function is what it checks.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct grid {
	__u32 cell[8][8];
	__u8 bytes[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct grid);
} grids SEC(".maps");

static __always_inline struct grid *grid0(void)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&grids, &k);
}

/* A loop of 1000 iterations folding a value. */
SEC("socket")
int accept_loop_1000(struct __sk_buff *skb)
{
	__u32 h = skb->len;
	for (int i = 0; i < 1000; i++)
		h = h * 31 + i;
	return h & 1;
}

/* Nested loops over an 8 by 8 array in a map value. */
SEC("socket")
int accept_nested_grid(struct __sk_buff *skb)
{
	struct grid *g = grid0();
	__u32 sum = 0;
	if (!g)
		return 0;
	for (int r = 0; r < 8; r++)
		for (int c = 0; c < 8; c++)
			sum += g->cell[r][c];
	return sum & 0xff;
}

/* A loop bounded by a length capped at 100 reads a 64-byte array. */
SEC("socket")
int reject_loop_len_cap_too_big(struct __sk_buff *skb)
{
	struct grid *g = grid0();
	__u32 n = skb->len, sum = 0;
	if (!g || n > 100)
		return 0;
	for (__u32 i = 0; i < n; i++)
		sum += g->bytes[i];
	return sum & 0xff;
}

/* The same loop with the cap at the array size. */
SEC("socket")
int accept_loop_len_cap(struct __sk_buff *skb)
{
	struct grid *g = grid0();
	__u32 n = skb->len, sum = 0;
	if (!g || n > 64)
		return 0;
	for (__u32 i = 0; i < n; i++)
		sum += g->bytes[i];
	return sum & 0xff;
}

/* Type-length-value options in the packet, up to 16 of them, each checked against data_end. */
SEC("xdp")
int accept_tlv_walk(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	for (int i = 0; i < 16; i++) {
		if (p + 2 > end)
			return XDP_PASS;
		if (p[0] == 0)
			return XDP_DROP;
		p += 2 + (p[1] & 0x3f);
	}
	return XDP_PASS;
}

/* The loop restarts its counter when a bit is set in a value that never changes: it may never end. */
SEC("socket")
int reject_loop_restart(struct __sk_buff *skb)
{
	volatile __u32 flag = skb->mark;
	__u32 sum = 0;
	for (__u32 i = 0; i < 10; i++) {
		sum += i;
		if (flag & 1)
			i = 0;
	}
	return sum & 1;
}
