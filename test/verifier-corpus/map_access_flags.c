// BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG maps (check_map_access_type): loads and stores through
// a value pointer obey them, as helper arguments do.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} ro SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_WRONLY_PROG);
} wo SEC(".maps");

/* a load from a map programs may only read */
SEC("xdp") int accept_read_rdonly(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&ro, &k);
	return v ? (int)*v : 0;
}

/* a store into a map programs may only read */
SEC("xdp") int reject_write_rdonly(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&ro, &k);
	if (v)
		*v = 1;
	return 0;
}

/* a store into a map programs may only write */
SEC("xdp") int accept_write_wronly(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&wo, &k);
	if (v)
		*v = 1;
	return 0;
}

/* a load from a map programs may only write */
SEC("xdp") int reject_read_wronly(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&wo, &k);
	return v ? (int)*v : 0;
}
