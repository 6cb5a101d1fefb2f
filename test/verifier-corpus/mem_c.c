/*
 * The memory, scalar and control-flow checks as C code meets them (test/verifier-corpus.test.ts):
 * packet parsers, map values indexed by numbers from packets, stack buffers, context fields and
 * return values, written the way BPF programs are, each accepted or refused by the kernel for one
 * reason. The comment above each function is what it checks.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct slots {
	__u64 count[16];
	__u8 bytes[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct slots);
} table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline struct slots *slot0(void)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&table, &k);
}

/* An Ethernet, IPv4 and UDP parser with a bounds check before each header. */
SEC("xdp")
int accept_parse_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (ip->protocol != 17)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

/* The IP header is read after checking only the Ethernet header. */
SEC("xdp")
int reject_parse_missing_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	return ip->protocol == 17 ? XDP_DROP : XDP_PASS;
}

/* The check covers 14 bytes but byte 14 is read. */
SEC("xdp")
int reject_parse_off_by_one(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 14 > end)
		return XDP_PASS;
	return data[14] == 0x45 ? XDP_DROP : XDP_PASS;
}

/* The IHL field scales the UDP header's offset; the check after it makes the read safe. */
SEC("tc")
int accept_tc_variable_header(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end)
		return 0;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return 0;
	skb->mark = udp->source;
	return 0;
}

/* A cgroup_skb program changes a packet byte: it may read the packet but not write it. */
SEC("cgroup_skb/ingress")
int reject_cgroup_write_packet(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end)
		return 1;
	data[0] = 0;
	return 1;
}

/* cgroup_skb returns a comparison: 0 or 1. */
SEC("cgroup_skb/ingress")
int accept_cgroup_bool(struct __sk_buff *skb)
{
	return skb->len < 1500;
}

/* cgroup_skb returns the packet length, not a verdict. */
SEC("cgroup_skb/ingress")
int reject_cgroup_return_len(struct __sk_buff *skb)
{
	return skb->len;
}

/* A counter per byte value, the index masked to the array. */
SEC("xdp")
int accept_index_masked(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct slots *s = slot0();
	if (!s || data + 1 > end)
		return XDP_PASS;
	s->count[data[0] & 15]++;
	return XDP_PASS;
}

/* The index is checked with an unsigned comparison before use. */
SEC("xdp")
int accept_index_checked(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct slots *s = slot0();
	if (!s || data + 1 > end)
		return XDP_PASS;
	__u32 i = data[0];
	if (i >= 16)
		return XDP_PASS;
	s->count[i]++;
	return XDP_PASS;
}

/* The index from the packet is used without any check. */
SEC("xdp")
int reject_index_unchecked(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct slots *s = slot0();
	if (!s || data + 1 > end)
		return XDP_PASS;
	s->count[data[0]]++;
	return XDP_PASS;
}

/* The index is a signed number checked only from above: it may be negative. */
SEC("socket")
int reject_index_signed(struct __sk_buff *skb)
{
	struct slots *s = slot0();
	int i = (int)skb->mark;
	if (!s)
		return 0;
	if (i < 64)
		return s->bytes[i];
	return 0;
}

/* A signed index checked from both sides, which clang folds into one unsigned 32-bit check before sign-extending it: the verifier sees an offset from -2^31. */
SEC("socket")
int reject_index_signed_folded(struct __sk_buff *skb)
{
	struct slots *s = slot0();
	int i = (int)skb->mark;
	if (!s)
		return 0;
	if (i >= 0 && i < 64)
		return s->bytes[i];
	return 0;
}

/* The check allows 64, one past the last byte of the value. */
SEC("socket")
int reject_index_le(struct __sk_buff *skb)
{
	struct slots *s = slot0();
	__u32 i = skb->mark;
	if (!s || i > 64)
		return 0;
	return s->bytes[i];
}

/* An unsigned index checked below the array size. */
SEC("socket")
int accept_index_unsigned(struct __sk_buff *skb)
{
	struct slots *s = slot0();
	__u32 i = skb->mark;
	if (!s || i >= 64)
		return 0;
	return s->bytes[i];
}

/* A hash lookup used without the NULL check. */
SEC("socket")
int reject_hash_no_null_check(struct __sk_buff *skb)
{
	__u32 k = skb->protocol;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	return *v;
}

/* The usual lookup, check and update. */
SEC("socket")
int accept_hash_counter(struct __sk_buff *skb)
{
	__u32 k = skb->protocol;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

/* A loop of 16 iterations summing a map value's array. */
SEC("socket")
int accept_loop_sum(struct __sk_buff *skb)
{
	struct slots *s = slot0();
	__u64 sum = 0;
	if (!s)
		return 0;
	for (int i = 0; i < 16; i++)
		sum += s->count[i];
	return sum & 0xffff;
}

/* The loop's bound is one too many: the last iteration reads past the value. */
SEC("socket")
int reject_loop_overrun(struct __sk_buff *skb)
{
	struct slots *s = slot0();
	__u64 sum = 0;
	if (!s)
		return 0;
	for (int i = 0; i <= 64; i++)
		sum += s->bytes[i];
	return sum & 0xffff;
}

/* A loop over up to 8 stacked VLAN tags in the packet, each checked. */
SEC("xdp")
int accept_loop_vlans(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	__u16 proto = eth->h_proto;
	void *p = eth + 1;
	for (int i = 0; i < 8; i++) {
		if (proto != bpf_htons(ETH_P_8021Q))
			break;
		if (p + 4 > end)
			return XDP_DROP;
		proto = *(__u16 *)(p + 2);
		p += 4;
	}
	return proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

/* A stack buffer written at an index masked to its size. */
SEC("socket")
int accept_stack_index(struct __sk_buff *skb)
{
	volatile char buf[16] = {};
	buf[skb->mark & 15] = 1;
	return buf[3];
}

/* The mask allows indices up to 1023 in a 16-byte stack buffer. */
SEC("socket")
int reject_stack_index(struct __sk_buff *skb)
{
	volatile char buf[16] = {};
	volatile char guard[8] = {};
	buf[skb->mark & 1023] = 1;
	return buf[3] + guard[0];
}

/* A socket filter tries to change skb->len. */
SEC("socket")
int reject_ctx_write_len(struct __sk_buff *skb)
{
	skb->len = 0;
	return 0;
}

/* tc writes the mark and the priority. */
SEC("tc")
int accept_tc_write_fields(struct __sk_buff *skb)
{
	skb->mark = skb->len;
	skb->priority = 7;
	return 0;
}

/* A socket filter reads the socket family, which only socket-aware types may. */
SEC("socket")
int reject_ctx_family(struct __sk_buff *skb)
{
	return skb->family;
}

/* An XDP program reads egress_ifindex without being a devmap program. */
SEC("xdp")
int reject_xdp_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_DROP : XDP_PASS;
}

/* Metadata in front of the packet, checked against data. */
SEC("xdp")
int accept_xdp_meta(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *meta = (void *)(long)ctx->data_meta;
	__u32 *m = meta;
	if ((void *)(m + 1) > data)
		return XDP_PASS;
	return *m == 1 ? XDP_DROP : XDP_PASS;
}

/* Metadata read after checking it against data_end instead of data. */
SEC("xdp")
int reject_xdp_meta_vs_end(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end, *meta = (void *)(long)ctx->data_meta;
	__u32 *m = meta;
	if ((void *)(m + 1) > end)
		return XDP_PASS;
	return *m == 1 ? XDP_DROP : XDP_PASS;
}

/* A kprobe reads the first argument register. */
SEC("kprobe/do_nanosleep")
int accept_kprobe_arg(struct pt_regs *regs)
{
	return regs->rdi != 0;
}

/* A kprobe writes a register. */
SEC("kprobe/do_nanosleep")
int reject_kprobe_write(struct pt_regs *regs)
{
	regs->rax = 0;
	return 0;
}

/* A packet pointer aligned down with a bitwise and. */
SEC("xdp")
int reject_pkt_align(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned char *p = (unsigned char *)((unsigned long)(data + 7) & ~7UL);
	if (p + 1 > end)
		return XDP_PASS;
	return *p;
}

/* A 64-bit offset from a map value added to a packet pointer without bounds. */
SEC("xdp")
int reject_pkt_unbounded_offset(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 1;
	__u64 *off = bpf_map_lookup_elem(&counts, &k);
	if (!off)
		return XDP_PASS;
	unsigned char *p = data + *off;
	if (p + 1 > end)
		return XDP_PASS;
	return *p;
}

/* An offset from a map value, bounded to 1500, then checked against data_end. */
SEC("xdp")
int accept_pkt_bounded_offset(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 1;
	__u64 *off = bpf_map_lookup_elem(&counts, &k);
	if (!off)
		return XDP_PASS;
	__u64 o = *off;
	if (o > 1500)
		return XDP_PASS;
	unsigned char *p = data + o;
	if (p + 1 > end)
		return XDP_PASS;
	return *p;
}

/* A loop that never changes what it tests never ends. */
SEC("socket")
int reject_loop_forever(struct __sk_buff *skb)
{
	volatile __u32 x = 0;
	while (x == 0)
		;
	return 0;
}
