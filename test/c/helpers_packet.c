/*
 * Packet helpers in tc and XDP programs the kernel accepts too, so the tests run each program in
 * the VM and through BPF_PROG_TEST_RUN and compare the packets. Results that are not packet bytes
 * are stored into the packet at RES_OFF, 8 bytes each.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_SRC_OFF (ETH_HLEN + offsetof(struct iphdr, saddr))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))
#define TTL_OFF (ETH_HLEN + offsetof(struct iphdr, ttl))
#define UDP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, check))
#define RES_OFF 64

static __always_inline void res(struct __sk_buff *skb, int i, __s64 v)
{
	bpf_skb_store_bytes(skb, RES_OFF + 8 * i, &v, sizeof(v), 0);
}

/* SNAT: the source address becomes 192.0.2.99; the TTL goes down by one; both checksums follow. */
SEC("tc")
int snat(struct __sk_buff *skb)
{
	__be32 old, new = bpf_htonl(0xc0000263);
	if (bpf_skb_load_bytes(skb, IP_SRC_OFF, &old, 4) < 0)
		return TC_ACT_SHOT;
	bpf_l4_csum_replace(skb, UDP_CSUM_OFF, old, new, BPF_F_PSEUDO_HDR | sizeof(new));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old, new, sizeof(new));
	bpf_skb_store_bytes(skb, IP_SRC_OFF, &new, sizeof(new), 0);

	__u16 oldw, neww;
	bpf_skb_load_bytes(skb, TTL_OFF, &oldw, 2);
	neww = oldw;
	((__u8 *)&neww)[0] -= 1;
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, oldw, neww, 2);
	bpf_skb_store_bytes(skb, TTL_OFF, &neww, 2, 0);
	return TC_ACT_OK;
}

/* DNAT with bpf_csum_diff: the destination becomes 198.51.100.7; checksums updated by the diff. */
SEC("tc")
int dnat(struct __sk_buff *skb)
{
	__be32 old, new = bpf_htonl(0xc6336407);
	if (bpf_skb_load_bytes(skb, IP_DST_OFF, &old, 4) < 0)
		return TC_ACT_SHOT;
	__s64 diff = bpf_csum_diff(&old, 4, &new, 4, 0);
	res(skb, 0, diff);
	res(skb, 1, bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, diff, BPF_F_PSEUDO_HDR));
	res(skb, 2, bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, diff, 0));
	bpf_skb_store_bytes(skb, IP_DST_OFF, &new, sizeof(new), 0);
	return TC_ACT_OK;
}

/* The checks of the packet helpers: every result goes into the packet. */
SEC("tc")
int csum_errors(struct __sk_buff *skb)
{
	__u64 buf = 0;
	res(skb, 0, bpf_l3_csum_replace(skb, IP_CSUM_OFF + 1, 0, 0, 2));
	res(skb, 1, bpf_l3_csum_replace(skb, 4000, 0, 0, 2));
	res(skb, 2, bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, 0, 3));
	res(skb, 3, bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, 0, BPF_F_PSEUDO_HDR | 2));
	res(skb, 4, bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, 0, 0x100 | 2));
	res(skb, 5, bpf_l3_csum_replace(skb, IP_CSUM_OFF, 1, 0, 0));
	res(skb, 6, bpf_skb_load_bytes(skb, 200, &buf, 8));
	res(skb, 7, buf);
	res(skb, 8, bpf_skb_store_bytes(skb, 0, &buf, 2, 4));
	res(skb, 9, bpf_skb_store_bytes(skb, 200, &buf, 2, 0));
	/* a UDP checksum of 0 is "none": BPF_F_MARK_MANGLED_0 leaves it alone */
	__u16 zero = 0;
	bpf_skb_store_bytes(skb, UDP_CSUM_OFF, &zero, 2, 0);
	res(skb, 10, bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 1, 2, BPF_F_MARK_MANGLED_0 | 2));
	/* ...unless BPF_F_MARK_ENFORCE; a result of 0 becomes CSUM_MANGLED_0 */
	res(skb, 11, bpf_l4_csum_replace(skb, UDP_CSUM_OFF, bpf_htons(0x1234), bpf_htons(0x1234), BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2));
	return TC_ACT_OK;
}

/* perf_event_output with packet bytes appended (BPF_F_CTXLEN_MASK). */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pkt_events SEC(".maps");

SEC("tc")
int sample(struct __sk_buff *skb)
{
	__u32 mark = 0xabcd;
	__u64 flags = BPF_F_CURRENT_CPU | ((__u64)14 << 32);
	return bpf_perf_event_output(skb, &pkt_events, flags, &mark, sizeof(mark));
}

/* tc redirect: ctx->mark chooses the flags. */
SEC("tc")
int tc_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(3, skb->mark);
}

/* bpf_csum_diff over packet words: 8 results at RES_OFF. */
SEC("xdp")
int xdp_csum_diff(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 128 > end)
		return XDP_ABORTED;
	__u32 a[4], b[4];
	__builtin_memcpy(a, data, 16);
	__builtin_memcpy(b, data + 16, 16);
	__s64 *out = data + RES_OFF;
	out[0] = bpf_csum_diff(a, 16, b, 16, 0);
	out[1] = bpf_csum_diff(0, 0, b, 16, 0);
	out[2] = bpf_csum_diff(a, 16, 0, 0, 0);
	out[3] = bpf_csum_diff(a, 16, b, 16, 0x12345678);
	out[4] = bpf_csum_diff(a, 6, b, 6, 0);
	out[5] = bpf_csum_diff(0, 0, 0, 0, 0xdeadbeef);
	out[6] = bpf_csum_diff(a, 4, b, 12, 7);
	out[7] = bpf_csum_diff(a, 16, 0, 0, 0xffff);
	return XDP_PASS;
}

/* Grow the head by 4 (writing a marker), the tail by 6, shrink it by 2; results after the marker. */
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	__s32 r[4];
	r[0] = bpf_xdp_adjust_head(ctx, -4);
	r[1] = bpf_xdp_adjust_head(ctx, -1000);
	r[2] = bpf_xdp_adjust_tail(ctx, 6);
	r[3] = bpf_xdp_adjust_tail(ctx, -2);
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 4 + 16 > end)
		return XDP_ABORTED;
	*(__u32 *)data = bpf_htonl(0xcafef00d);
	__builtin_memcpy(data + 4, r, 16);
	return XDP_PASS;
}

/* Metadata in front of the packet: room for 8 bytes, then a bad size. */
SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	__s32 r0 = bpf_xdp_adjust_meta(ctx, -8);
	__s32 r1 = bpf_xdp_adjust_meta(ctx, -3);
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	void *meta = (void *)(long)ctx->data_meta;
	if (meta + 8 > data || data + 8 > end)
		return XDP_ABORTED;
	*(__u32 *)meta = 0x11223344;
	((__s32 *)data)[0] = r0;
	((__s32 *)data)[1] = r1;
	return XDP_PASS;
}

/* XDP redirect: the first packet byte chooses the flags. */
SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 1 > end)
		return XDP_DROP;
	return bpf_redirect(5, *(__u8 *)data);
}

SEC("xdp")
int xdp_self(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__array(values, int (void *));
} xdp_jump SEC(".maps") = {
	.values = { [0] = (void *)&xdp_self },
};

/* Counts its runs in the first packet byte while tail-calling itself. */
SEC("xdp")
int xdp_self(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 1 > end)
		return XDP_DROP;
	*(__u8 *)data += 1;
	bpf_tail_call(ctx, &xdp_jump, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
