/*
 * Tracing programs for test/kernel-trace.test.ts and test/kernel-events.test.ts, attached to the
 * real kernel: the book's hello world on sys_enter_execve (bpf_printk), an execve counter keyed by
 * the command name, execve events to a ring buffer and to a perf buffer, and a raw tracepoint
 * counter.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk("Hello World! tsbpf");
	return 0;
}

struct comm { char name[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct comm);
	__type(value, __u64);
} execs SEC(".maps");

/* Counted on exit, when the new program's name is the task's comm. */
SEC("tracepoint/syscalls/sys_exit_execve")
int count_execs(void *ctx)
{
	struct comm c = {};
	__u64 one = 1, *n;

	bpf_get_current_comm(&c.name, sizeof(c.name));
	n = bpf_map_lookup_elem(&execs, &c);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&execs, &c, &one, BPF_NOEXIST);
	return 0;
}

struct event {
	__u32 pid;
	__u32 tgid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_execve")
int ring_execs(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e)
		return 0;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	/* Every other event is discarded, so the reader must skip discarded records. */
	if (e->pid & 1)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_execve")
int perf_execs(void *ctx)
{
	struct event e = {};
	__u64 id = bpf_get_current_pid_tgid();

	e.pid = (__u32)id;
	e.tgid = id >> 32;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} raw_hits SEC(".maps");

SEC("raw_tracepoint/sched_process_exec")
int raw_exec(void *ctx)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&raw_hits, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
