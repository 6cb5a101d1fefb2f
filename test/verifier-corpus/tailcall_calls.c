// Tail calls from subprograms (allowed with BTF func info and the JIT): the frames above a
// tail-calling function may use at most 256 bytes of stack, and the call may return.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

static __attribute__((noinline)) int jump_static(struct __sk_buff *skb, int idx)
{
	bpf_tail_call(skb, &jumps, idx);
	return 1;
}

__attribute__((noinline)) int jump_global(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	return 1;
}

static __attribute__((noinline)) int deep_then_jump(struct __sk_buff *skb, int n)
{
	volatile char buf[280];
	buf[n & 255] = 1;
	return jump_static(skb, buf[0]);
}

static __attribute__((noinline)) int medium_then_jump(struct __sk_buff *skb, int n)
{
	volatile char buf[200];
	buf[n & 127] = 1;
	return jump_static(skb, buf[1]);
}

/* a static subprogram tail-calls; its caller has almost no stack */
SEC("tc") int accept_tail_call_static_subprog(struct __sk_buff *skb)
{
	return jump_static(skb, skb->mark & 3);
}

/* a global subprogram tail-calls */
SEC("tc") int accept_tail_call_global_subprog(struct __sk_buff *skb)
{
	return jump_global(skb);
}

/* 200 bytes of stack in the frames above the tail-calling function */
SEC("tc") int accept_tail_call_under_200_bytes(struct __sk_buff *skb)
{
	return medium_then_jump(skb, skb->mark);
}

/* 280 bytes of stack in the frames above the tail-calling function */
SEC("tc") int reject_tail_call_under_280_bytes(struct __sk_buff *skb)
{
	return deep_then_jump(skb, skb->mark);
}
