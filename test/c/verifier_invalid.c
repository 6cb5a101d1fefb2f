/*
 * Programs the kernel's verifier refuses, one defect each: test/verifier-core.test.ts checks that
 * tsbpf refuses them too, with the kernel's message. Inline asm makes each defect exact.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* The value may be NULL: no check before the load. */
SEC("socket")
int no_null_check(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	return (int)*(volatile __u64 *)v;
}

/* Reads past the 8-byte value. */
SEC("socket")
int value_overrun(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (!v)
		return 0;
	return (int)((volatile __u64 *)v)[1];
}

/* A variable index with no bound. */
SEC("socket")
int value_unbounded(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (!v)
		return 0;
	return (int)((volatile __u64 *)v)[skb->len];
}

/* Packet access without comparing against data_end. */
SEC("xdp")
int no_bounds_check(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	return data[0];
}

/* The bounds check covers 14 bytes, the load reads byte 20. */
SEC("xdp")
int short_bounds_check(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (data + 14 > end)
		return 0;
	return ((volatile unsigned char *)data)[20];
}

/* R0 is never set. */
SEC("socket")
__attribute__((naked)) int no_r0(void)
{
	asm volatile("exit");
}

/* Reads r2 before writing it. */
SEC("socket")
__attribute__((naked)) int uninit_reg(void)
{
	asm volatile("r0 = r2; exit");
}

/* Dereferences a scalar. */
SEC("socket")
__attribute__((naked)) int deref_scalar(void)
{
	asm volatile("r1 = 42; r0 = *(u64 *)(r1 + 0); exit");
}

/* Stack access above the frame pointer. */
SEC("socket")
__attribute__((naked)) int stack_above_fp(void)
{
	asm volatile("r0 = *(u64 *)(r10 + 0); exit");
}

/* Stack write below 512 bytes. */
SEC("socket")
__attribute__((naked)) int stack_too_deep(void)
{
	asm volatile("r0 = 0; *(u64 *)(r10 - 520) = r0; exit");
}

/* A scalar where the key pointer goes. */
SEC("socket")
int key_is_scalar(struct __sk_buff *skb)
{
	return bpf_map_lookup_elem(&counts, (void *)(long)skb->len) != 0;
}

/* Writes to the context where it may not. */
SEC("socket")
__attribute__((naked)) int ctx_write(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + 0) = r2; r0 = 0; exit");
}

/* A loop that never ends. */
SEC("socket")
__attribute__((naked)) int infinite_loop(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0); r0 = 0; if r2 == 0 goto +1; exit; goto -1");
}

/* A loop that ends only after far too many instructions. */
SEC("socket")
int too_many_insns(struct __sk_buff *skb)
{
	__u64 s = 0;
	for (__u64 i = 0; i < 10000000; i++)
		s += i ^ skb->len;
	return (int)s;
}

/* A ringbuf record that is never submitted. */
SEC("tc")
int ringbuf_leak(struct __sk_buff *skb)
{
	__u64 *e = bpf_ringbuf_reserve(&events, 16, 0);
	if (!e)
		return 0;
	e[0] = 1;
	return 0;
}

/* Pointer arithmetic on a possibly NULL map value. */
SEC("socket")
int arith_on_null(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	asm volatile("%[v] += 8" : [v] "+r"(v));
	return v ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
