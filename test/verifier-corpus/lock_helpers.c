// bpf_spin_lock / bpf_spin_unlock: the lock lives in a map value described by BTF; a path must
// unlock what it locked, call nothing else while holding it, and never hold two.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct locked {
	struct bpf_spin_lock lock;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct locked);
} locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

static __attribute__((noinline)) void bump(struct locked *v)
{
	v->count++;
}

__attribute__((noinline)) int g_touch(int x)
{
	return x + 1;
}

/* lock, update, unlock */
SEC("tc") int accept_lock_unlock(struct __sk_buff *skb)
{
	__u32 k = skb->mark & 3;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* a static function may be called while the lock is held */
SEC("tc") int accept_lock_static_call(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bump(v);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* the program exits with the lock held */
SEC("tc") int reject_lock_not_released(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count++;
	return 0;
}

/* unlock without lock */
SEC("tc") int reject_unlock_without_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* two locks at once */
SEC("tc") int reject_lock_twice(struct __sk_buff *skb)
{
	__u32 k = 0, j = 1;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	struct locked *w = bpf_map_lookup_elem(&locks, &j);
	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_spin_lock(&w->lock);
	bpf_spin_unlock(&w->lock);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* unlocking a different lock than the one held */
SEC("tc") int reject_unlock_other(struct __sk_buff *skb)
{
	__u32 k = 0, j = 1;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	struct locked *w = bpf_map_lookup_elem(&locks, &j);
	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_spin_unlock(&w->lock);
	return 0;
}

/* a helper call while holding the lock */
SEC("tc") int reject_helper_under_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count = bpf_ktime_get_ns();
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* a global function call while holding the lock */
SEC("tc") int reject_global_call_under_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count = g_touch(v->count);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* a map whose value has no bpf_spin_lock */
SEC("tc") int reject_lock_plain_map(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&plain, &k);
	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)v);
	bpf_spin_unlock((struct bpf_spin_lock *)v);
	return 0;
}

/* the lock pointer is not at the lock's offset */
SEC("tc") int reject_lock_wrong_offset(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)&v->count);
	bpf_spin_unlock((struct bpf_spin_lock *)&v->count);
	return 0;
}

/* a tail call with the lock held */
SEC("tc") int reject_tail_call_under_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_tail_call(skb, &jumps, 0);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* the lock taken on one branch only, released on both */
SEC("tc") int reject_unlock_on_unlocked_path(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	if (skb->mark)
		bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* the lock word itself read by a load */
SEC("tc") int reject_lock_read_directly(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	return *(volatile __u32 *)&v->lock;
}

/* the lock word overwritten by a store */
SEC("tc") int reject_lock_written_directly(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	*(volatile __u32 *)&v->lock = 0;
	return 0;
}

/* the other fields of a value with a lock are ordinary memory */
SEC("tc") int accept_lock_value_other_field(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v)
		return 0;
	return v->count & 1;
}
