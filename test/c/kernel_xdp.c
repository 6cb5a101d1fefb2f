/*
 * An XDP object for the kernel backend tests (test/kernel-object.test.ts): loaded into Linux with
 * loadObjectIntoKernel and into tsbpf's VM, it must give the same retval, data_out and map
 * contents. It uses what the loader must get right: a BTF-defined hash and array map, global data
 * in .rodata (frozen, read as a constant by the verifier), .data and .bss, a bpf-to-bpf call
 * (func info for two functions), line info, a prog array filled from `.values` for a tail call,
 * and an array of maps filled the same way.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);   /* EtherType, as in the frame (big-endian) */
	__type(value, __u64); /* frames seen */
} by_proto SEC(".maps");

struct stats {
	__u64 frames;
	__u64 bytes;
	__u32 last_len;
	__u32 tail_calls;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

/* Verdicts by the frame's first byte of payload; .rodata, so the verifier sees constants. */
const volatile __u32 drop_marker = 0xdd;
const volatile __u32 tx_marker = 0x77;
/* .data: a value user space can change between runs. */
__u32 xor_key = 0x5a;
/* .bss: counters. */
__u64 total_frames;
__u32 last_verdict;

/* A map of maps whose slot 0 is filled from `.values`: the loader creates an inner template. */
struct inner_counts {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} inner_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_counts);
} outer SEC(".maps") = {
	.values = { [0] = &inner_counts },
};

int xdp_tail(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (struct xdp_md *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&xdp_tail },
};

/* A subprogram: swap the two MAC addresses (func info and a local call). */
static __attribute__((noinline)) int swap_macs(unsigned char *data, unsigned char *end)
{
	if (data + 14 > end)
		return -1;
	for (int i = 0; i < 6; i++) {
		unsigned char t = data[i];
		data[i] = data[6 + i];
		data[6 + i] = t;
	}
	return 0;
}

static void count(__u32 slot, __u32 len)
{
	struct stats *s = bpf_map_lookup_elem(&stats, &slot);
	if (s) {
		s->frames += 1;
		s->bytes += len;
		s->last_len = len;
	}
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	__u32 len = end - data;
	int verdict;

	total_frames += 1;
	__u32 zero = 0;
	void *inner = bpf_map_lookup_elem(&outer, &zero);
	if (inner) {
		__u64 *n = bpf_map_lookup_elem(inner, &zero);
		if (n)
			*n += len;
	}
	if (data + 15 > end) {
		count(3, len);
		last_verdict = XDP_DROP;
		return XDP_DROP;
	}
	__u16 proto = *(__u16 *)(data + 12);
	__u64 one = 1, *seen = bpf_map_lookup_elem(&by_proto, &proto);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	else
		bpf_map_update_elem(&by_proto, &proto, &one, BPF_NOEXIST);

	unsigned char marker = data[14];
	if (marker == drop_marker) {
		verdict = XDP_DROP;
	} else if (marker == tx_marker) {
		swap_macs(data, end);
		data[14] ^= xor_key;
		verdict = XDP_TX;
	} else if (marker == 0x01) {
		/* Tail call into slot 1; falls through to XDP_ABORTED if the slot is empty. */
		bpf_tail_call(ctx, &jump, 1);
		verdict = XDP_ABORTED;
	} else {
		verdict = XDP_PASS;
	}
	count(verdict == XDP_PASS ? 0 : verdict == XDP_TX ? 1 : 2, len);
	last_verdict = verdict;
	return verdict;
}

SEC("xdp")
int xdp_tail(struct xdp_md *ctx)
{
	__u32 slot = 0;
	struct stats *s = bpf_map_lookup_elem(&stats, &slot);
	if (s)
		s->tail_calls += 1;
	last_verdict = XDP_PASS + 100;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
