/*
 * Stack use as clang produces it (test/verifier-corpus.test.ts): values kept across helper calls
 * are spilled to the stack and filled back, and must keep the bounds proven before the spill;
 * arrays on the stack are indexed by bounded numbers. The comment above each function is what it checks.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[64]);
} bytes SEC(".maps");

/* Six bounded indices live across helper calls: some are spilled, and all keep their bounds. */
SEC("socket")
int accept_spilled_indices(struct __sk_buff *skb)
{
	__u32 a = skb->len & 63, b = skb->mark & 63, c = skb->priority & 63;
	__u32 d = skb->hash & 63, e = skb->queue_mapping & 63, f = skb->protocol & 63;
	__u32 k = 0;
	__u8 *v = bpf_map_lookup_elem(&bytes, &k);
	__u64 t = bpf_ktime_get_ns();
	if (!v)
		return 0;
	return v[a] + v[b] + v[c] + v[d] + v[e] + v[f] + (t & 1);
}

/* The same, but one index is bounded to 127 in a 64-byte value. */
SEC("socket")
int reject_spilled_index_too_big(struct __sk_buff *skb)
{
	__u32 a = skb->len & 63, b = skb->mark & 63, c = skb->priority & 63;
	__u32 d = skb->hash & 63, e = skb->queue_mapping & 127, f = skb->protocol & 63;
	__u32 k = 0;
	__u8 *v = bpf_map_lookup_elem(&bytes, &k);
	__u64 t = bpf_ktime_get_ns();
	if (!v)
		return 0;
	return v[a] + v[b] + v[c] + v[d] + v[e] + v[f] + (t & 1);
}

/* A histogram on the stack, indexed by a masked value, then copied to a map value. */
SEC("socket")
int accept_stack_histogram(struct __sk_buff *skb)
{
	__u8 hist[32] = {};
	__u32 k = 0;
	for (int i = 0; i < 8; i++)
		hist[(skb->len >> i) & 31]++;
	__u8 *v = bpf_map_lookup_elem(&bytes, &k);
	if (!v)
		return 0;
	__builtin_memcpy(v, hist, sizeof(hist));
	return hist[0];
}

/* A stack array indexed by a signed number checked only from above. */
SEC("socket")
int reject_stack_signed_index(struct __sk_buff *skb)
{
	volatile __u8 buf[32] = {};
	int i = (int)skb->mark;
	if (i >= 32)
		return 0;
	buf[i] = 1;
	return buf[0];
}

/* A stack array that uses 480 bytes of the 512 the stack has. */
SEC("socket")
int accept_stack_large(struct __sk_buff *skb)
{
	volatile __u64 big[60];
	for (int i = 0; i < 60; i++)
		big[i] = i;
	return big[skb->len & 31];
}
