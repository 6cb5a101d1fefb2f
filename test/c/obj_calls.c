// bpf-to-bpf calls: static and global noinline functions in .text, a call chain, and a
// bpf_loop callback passed as a function pointer (an lddw with a relocation to .text).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int add_static(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) int mul_global(int a, int b)
{
	return a * b + add_static(a, 1);
}

static __attribute__((noinline)) int twice(int a)
{
	return add_static(a, a);
}

struct loop_ctx {
	int sum;
};

static int loop_body(__u32 index, void *data)
{
	struct loop_ctx *c = data;
	c->sum += index;
	return 0;
}

SEC("xdp")
int calls_xdp(struct xdp_md *ctx)
{
	int x = ctx->ingress_ifindex;
	return twice(x) + mul_global(x, 3);
}

SEC("tc")
int calls_tc(struct __sk_buff *skb)
{
	struct loop_ctx c = { 0 };
	bpf_loop(skb->len, loop_body, &c, 0);
	return add_static(c.sum, 2);
}

char LICENSE[] SEC("license") = "GPL";
