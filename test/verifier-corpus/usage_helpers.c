// Everyday helper use as tools write it: counters in hash and per-CPU maps, events to ring and
// perf buffers, strings read from the kernel, map-in-map lookups, packet counters.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} by_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} inner1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { &inner1 } };

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u64);
} lru SEC(".maps");

struct name_event {
	__u32 pid;
	char comm[16];
	char path[64];
};

/* count calls per pid: lookup, then update with BPF_NOEXIST when missing */
SEC("kprobe/do_nanosleep") int accept_count_per_pid(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *v = bpf_map_lookup_elem(&by_pid, &pid);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&by_pid, &pid, &one, BPF_NOEXIST);
	return 0;
}

/* a per-CPU counter needs no atomics */
SEC("xdp") int accept_percpu_counter(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&stats, &k);
	if (v)
		*v += ctx->data_end - ctx->data;
	return XDP_PASS;
}

/* an event sent through the perf buffer of the current CPU */
SEC("kprobe/do_nanosleep") int accept_perf_event(void *ctx)
{
	struct name_event e = {};
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/* a string read from user memory into a ring buffer record */
SEC("kprobe/do_nanosleep") int accept_ringbuf_string(void *ctx)
{
	struct name_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)0x1000);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* probe_read_kernel_str returns at most its size (or -errno): once positive, the length needs no other bound */
SEC("kprobe/do_nanosleep") int accept_str_len_reuse(void *ctx)
{
	char a[32], b[32];
	long n = bpf_probe_read_kernel_str(a, sizeof(a), (void *)0x1000);
	if (n > 0)
		bpf_probe_read_kernel(b, n, a);
	return 0;
}

/* the same length used without the check for a negative errno */
SEC("kprobe/do_nanosleep") int reject_str_len_maybe_negative(void *ctx)
{
	char a[32], b[32];
	long n = bpf_probe_read_kernel_str(a, sizeof(a), (void *)0x1000);
	bpf_probe_read_kernel(b, n, a);
	return 0;
}

/* a value looked up in the inner map of an array of maps */
SEC("xdp") int accept_map_in_map(struct xdp_md *ctx)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (!in)
		return XDP_PASS;
	__u64 *v = bpf_map_lookup_elem(in, &k);
	if (v)
		*v += 1;
	return XDP_PASS;
}

/* an LRU hash keyed by a 64-bit value, updated in place */
SEC("kprobe/do_nanosleep") int accept_lru_update(void *ctx)
{
	__u64 key = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	bpf_map_update_elem(&lru, &key, &now, BPF_ANY);
	bpf_map_delete_elem(&lru, &key);
	return 0;
}

/* time and identity helpers every tool uses */
SEC("kprobe/do_nanosleep") int accept_identity(void *ctx)
{
	__u64 t = bpf_ktime_get_boot_ns() + bpf_jiffies64();
	__u64 ug = bpf_get_current_uid_gid();
	return (t + ug + bpf_get_smp_processor_id()) & 1;
}

/* packet bytes copied to the stack with skb_load_bytes, then checked */
SEC("socket") int accept_socket_load_bytes(struct __sk_buff *skb)
{
	__u8 hdr[14];
	if (bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)) < 0)
		return 0;
	return hdr[12] == 0x08 ? skb->len : 0;
}

/* a hash value updated from a stack copy of the value */
SEC("tc") int accept_tc_counter(struct __sk_buff *skb)
{
	__u32 k = skb->ifindex;
	__u64 *v = bpf_map_lookup_elem(&by_pid, &k), init = skb->len;
	if (!v) {
		bpf_map_update_elem(&by_pid, &k, &init, BPF_ANY);
		return 0;
	}
	*v += skb->len;
	return 0;
}
