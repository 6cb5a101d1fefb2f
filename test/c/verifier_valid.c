/* Programs the kernel's verifier accepts: test/verifier-core.test.ts checks tsbpf accepts them too. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64[8]);
} table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("socket")
int lookup_checked(struct __sk_buff *skb)
{
	__u32 key = skb->len & 7;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return (int)*v;
}

SEC("socket")
int update_then_lookup(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u64 one = 1;
	bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	return v ? (int)*v : 0;
}

SEC("socket")
int array_index_bounded(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *row = bpf_map_lookup_elem(&table, &key);
	if (!row)
		return 0;
	__u32 i = skb->len;
	if (i >= 8)
		return 0;
	return (int)row[i];
}

SEC("xdp")
int parse_eth_ip(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	return ip->ttl > 1 ? XDP_PASS : XDP_DROP;
}

SEC("socket")
int stack_use(struct __sk_buff *skb)
{
	volatile __u64 buf[4];
	buf[0] = skb->len;
	buf[1] = skb->protocol;
	buf[2] = buf[0] + buf[1];
	buf[3] = 0;
	return (int)(buf[2] + buf[3]);
}

SEC("socket")
int const_loop(struct __sk_buff *skb)
{
	__u32 sum = 0;
	for (int i = 0; i < 20; i++)
		sum += i * skb->len;
	return sum & 0xff;
}

static __attribute__((noinline)) int add3(int a, int b, int c)
{
	return a + b * c;
}

static __attribute__((noinline)) int twice(int x)
{
	return add3(x, x, 1);
}

SEC("socket")
int calls(struct __sk_buff *skb)
{
	return twice(skb->len) + add3(1, 2, 3);
}

SEC("tc")
int ringbuf_event(struct __sk_buff *skb)
{
	__u64 *e = bpf_ringbuf_reserve(&events, 16, 0);
	if (!e)
		return 0;
	e[0] = skb->len;
	e[1] = skb->mark;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
