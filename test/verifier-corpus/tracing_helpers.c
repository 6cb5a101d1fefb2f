// Tracing programs: tp_btf arguments are kernel structs typed by BTF (PTR_TO_BTF_ID), read
// directly; raw tracepoints and kprobes see plain numbers.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* the fields the programs read, at their offsets in this kernel's BTF (CO-RE keeps them right) */
struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

/* sched_switch's prev and next are task_struct pointers; their pids are read directly */
SEC("tp_btf/sched_switch") int accept_tp_btf_read_pids(__u64 *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct task_struct *next = (void *)ctx[2];
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &k);
	if (v)
		*v = prev->pid + next->pid;
	return 0;
}

/* a pointer member read through a typed pointer is typed too */
SEC("tp_btf/sched_switch") int accept_tp_btf_parent_pid(__u64 *ctx)
{
	struct task_struct *next = (void *)ctx[2];
	return next->real_parent->tgid & 1;
}

/* the first argument (preempt, a bool) is a scalar */
SEC("tp_btf/sched_switch") int accept_tp_btf_scalar_arg(__u64 *ctx)
{
	return ctx[0] & 1;
}

/* sched_switch has four arguments; the fifth does not exist */
SEC("tp_btf/sched_switch") int reject_tp_btf_missing_arg(__u64 *ctx)
{
	return *(volatile __u64 *)&ctx[4] & 1;
}

/* typed kernel pointers are read-only */
SEC("tp_btf/sched_switch") int reject_tp_btf_write_field(__u64 *ctx)
{
	struct task_struct *next = (void *)ctx[2];
	next->pid = 0;
	return 0;
}

/* a read far past the end of task_struct */
SEC("tp_btf/sched_switch") int reject_tp_btf_read_beyond(__u64 *ctx)
{
	char *next = (void *)ctx[2];
	return *(volatile int *)(next + 1000000) & 1;
}

/* a negative offset from a typed pointer */
SEC("tp_btf/sched_switch") int reject_tp_btf_negative(__u64 *ctx)
{
	char *next = (void *)ctx[2];
	return *(volatile int *)(next - 8) & 1;
}

/* the context itself cannot be written */
SEC("tp_btf/sched_switch") int reject_tp_btf_ctx_write(__u64 *ctx)
{
	ctx[0] = 1;
	return 0;
}
