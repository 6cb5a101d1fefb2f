// Ring buffer records as clang writes them: reserve, fill, submit or discard on every path.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event {
	__u32 pid;
	__u32 len;
	char comm[16];
};

static __attribute__((noinline)) void fill(struct event *e)
{
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __attribute__((noinline)) void finish(struct event *e, int keep)
{
	if (keep)
		bpf_ringbuf_submit(e, 0);
	else
		bpf_ringbuf_discard(e, 0);
}

/* reserve, fill in a static function, submit */
SEC("kprobe/do_nanosleep") int accept_ringbuf_event(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill(e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* the release happens in a static function on both of its paths */
SEC("kprobe/do_nanosleep") int accept_ringbuf_release_in_callee(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->len = 1;
	finish(e, bpf_get_prandom_u32() & 1);
	return 0;
}

/* bpf_ringbuf_output copies from the stack: no reference to keep */
SEC("kprobe/do_nanosleep") int accept_ringbuf_output(void *ctx)
{
	struct event e = {};
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}

/* an early return leaks the record */
SEC("kprobe/do_nanosleep") int reject_ringbuf_early_return(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	if (e->pid == 1)
		return 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* the comm field written past the record's end */
SEC("kprobe/do_nanosleep") int reject_ringbuf_write_past(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, 8, 0);
	if (!e)
		return 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* a read of the record after it was discarded */
SEC("kprobe/do_nanosleep") int reject_ringbuf_read_after_discard(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = 7;
	bpf_ringbuf_discard(e, 0);
	return *(volatile __u32 *)&e->pid;
}
