// The book's hello world, grown into a real tracer of execve(2): every exec prints
// "Hello, BPF World!" to the trace buffer (bpf_printk), and every successful exec is counted per
// command name in a hash map and sent as a {pid, comm} event through a ring buffer.
// Run it in the kernel with examples/trace_execve.mjs (as root).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

// On entry: the hello world. The task still runs the old program here (its comm is the caller's).
SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk("Hello, BPF World!");
	return 0;
}

struct comm_key {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct comm_key);
	__type(value, __u64);
} exec_counts SEC(".maps");

struct event {
	__u32 pid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

// The context of syscalls/sys_exit_execve (see its format file in tracefs).
struct sys_exit_args {
	__u64 common;
	int syscall_nr;
	long ret;
};

// On return: the exec succeeded and the task's comm is the new program's name ("true").
SEC("tracepoint/syscalls/sys_exit_execve")
int count_exec(struct sys_exit_args *ctx)
{
	struct comm_key key = {};
	struct event *e;
	__u64 one = 1, *n;

	if (ctx->ret != 0)
		return 0;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	n = bpf_map_lookup_elem(&exec_counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&exec_counts, &key, &one, BPF_NOEXIST);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	__builtin_memcpy(e->comm, key.comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
