// Global (non-static) functions: the kernel checks each one once, on its own, from its BTF
// prototype, and checks its callers only against those argument types.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct pair {
	__u64 a;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pair);
} pairs SEC(".maps");

__attribute__((noinline)) int g_add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) int g_sum_pair(struct pair *p)
{
	if (!p)
		return 0;
	return p->a + p->b;
}

__attribute__((noinline)) int g_sum_pair_unchecked(struct pair *p)
{
	return p->a + p->b;
}

__attribute__((noinline)) int g_pkt_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

__attribute__((noinline)) int g_deref_scalar(long addr)
{
	return *(volatile int *)addr;
}

__attribute__((noinline)) int g_never_called_bad(long addr)
{
	return *(volatile int *)(addr + 4);
}

__attribute__((noinline)) void g_fill(struct pair *p)
{
	if (p) {
		p->a = 1;
		p->b = 2;
	}
}

__attribute__((noinline)) int g_read_past(struct pair *p)
{
	if (!p)
		return 0;
	return ((volatile __u64 *)p)[2];
}

/* a global function called with two scalars */
SEC("xdp") int accept_global_scalars(struct xdp_md *ctx)
{
	return g_add(ctx->ingress_ifindex, 1) & 3;
}

/* a global function taking a pointer checks it for NULL itself; the caller passes stack memory */
SEC("xdp") int accept_global_stack_struct(struct xdp_md *ctx)
{
	struct pair p = { .a = ctx->ingress_ifindex, .b = 2 };
	return g_sum_pair(&p) & 3;
}

/* the caller may pass NULL for a pointer argument */
SEC("xdp") int accept_global_null_arg(struct xdp_md *ctx)
{
	return g_sum_pair((void *)0) & 3;
}

/* a map value is memory of the right size */
SEC("xdp") int accept_global_map_value(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct pair *p = bpf_map_lookup_elem(&pairs, &k);
	return g_sum_pair(p) & 3;
}

/* the context goes to a global function typed with the program's context struct */
SEC("xdp") int accept_global_ctx(struct xdp_md *ctx)
{
	return g_pkt_len(ctx) > 0 ? XDP_PASS : XDP_DROP;
}

/* a global function returning void: Linux 6.18 takes only scalar results from global functions */
SEC("xdp") int reject_global_void_function(struct xdp_md *ctx)
{
	struct pair p;
	g_fill(&p);
	return p.a == 1 ? XDP_PASS : XDP_DROP;
}

/* a global function with a bug is not checked unless something calls it */
SEC("xdp") int accept_global_uncalled_bad_function(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* the global function dereferences its pointer argument without a NULL check */
SEC("xdp") int reject_global_unchecked_pointer(struct xdp_md *ctx)
{
	struct pair p = { .a = ctx->ingress_ifindex, .b = 2 };
	return g_sum_pair_unchecked(&p) & 3;
}

/* the global function dereferences a scalar argument */
SEC("xdp") int reject_global_deref_scalar(struct xdp_md *ctx)
{
	return g_deref_scalar(ctx->data) & 3;
}

/* a pointer passed where the global function takes an integer */
SEC("xdp") int reject_global_pointer_for_scalar(struct xdp_md *ctx)
{
	int x = 0;
	return g_add((long)&x, 1) & 3;
}

/* a stack buffer smaller than the struct the global function takes */
SEC("xdp") int reject_global_short_buffer(struct xdp_md *ctx)
{
	__u64 small = ctx->ingress_ifindex;
	return g_sum_pair((struct pair *)&small) & 3;
}

/* the stack pointer passed where the global function takes the context */
SEC("xdp") int reject_global_ctx_wrong(struct xdp_md *ctx)
{
	struct xdp_md fake = {};
	return g_pkt_len(&fake) > 0 ? XDP_PASS : XDP_DROP;
}

/* the global function reads past the struct its pointer argument points to */
SEC("xdp") int reject_global_read_past(struct xdp_md *ctx)
{
	struct pair p[2] = {};
	return g_read_past(&p[0]) & 3;
}

/* a global function's result is an unknown scalar to its caller, whatever it returns */
SEC("xdp") int reject_global_result_unknown(struct xdp_md *ctx)
{
	char buf[8] = {};
	int i = g_add(1, 2);
	return ((volatile char *)buf)[i];
}

__attribute__((noinline)) int g_skb_len(struct __sk_buff *skb)
{
	if (!skb)
		return 0;
	return skb->len;
}

__attribute__((noinline)) int g_five(int a, int b, int c, int d, int e)
{
	return a + b + c + d + e;
}

__attribute__((noinline)) int g_chain(int a)
{
	return g_add(a, 2) & 0xff;
}

/* a global function typed with another program type's context, given this one's */
SEC("xdp") int reject_global_other_ctx_type(struct xdp_md *ctx)
{
	return g_skb_len((void *)ctx) & 3;
}

/* five scalar arguments */
SEC("xdp") int accept_global_five_args(struct xdp_md *ctx)
{
	return g_five(1, 2, 3, 4, ctx->ingress_ifindex) & 3;
}

/* a global function calling another: both are checked on their own */
SEC("xdp") int accept_global_chain(struct xdp_md *ctx)
{
	return g_chain(ctx->ingress_ifindex) & 3;
}
