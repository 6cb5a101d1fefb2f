// CO-RE in a linked program: field reads and existence checks in the entry function and in a
// .text subprogram shared by two programs, relocated against obj_core_target.c's BTF.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct obj_task {
	int pid;
	int tgid;
	long state;
} __attribute__((preserve_access_index));

struct obj_absent {
	int nothing;
} __attribute__((preserve_access_index));

long results[8];

static __attribute__((noinline)) long read_tgid(struct obj_task *t)
{
	return BPF_CORE_READ(t, tgid);
}

SEC("tp_btf/obj_core_a")
int core_a(struct obj_task *t)
{
	results[0] = BPF_CORE_READ(t, pid);
	results[1] = read_tgid(t);
	results[2] = bpf_core_field_exists(t->state);
	results[3] = bpf_core_type_exists(struct obj_absent);
	results[4] = bpf_core_field_size(t->state);
	return 0;
}

SEC("tp_btf/obj_core_b")
int core_b(struct obj_task *t)
{
	results[5] = read_tgid(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
