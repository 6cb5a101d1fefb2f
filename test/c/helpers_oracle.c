/*
 * Helpers every program type has (bpf_base_func_proto), in an XDP program so that the kernel can
 * run it with BPF_PROG_TEST_RUN: the tests compare the packet it leaves in the VM and in the kernel.
 * Results go into the packet: snprintf texts at 0 and 64, numbers from 128, 8 bytes each.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} nums SEC(".maps");

struct sum_ctx {
	__u64 sum;
	__u64 calls;
};

static long add(__u32 i, struct sum_ctx *c)
{
	c->sum += i * i;
	c->calls++;
	return i == 99 ? 1 : 0;
}

static long add_elem(void *map, __u32 *key, __u64 *value, struct sum_ctx *c)
{
	*value = *key * 3 + 1;
	c->sum += *value;
	c->calls++;
	return 0;
}

SEC("xdp")
int xdp_misc(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 288 > end)
		return XDP_ABORTED;
	__s64 *out = data + 128;

	char text[64] = {};
	char word[8] = "word";
	__u64 args[6] = { -42, (__u64)(long)word, 0xbeef, 'Q', -1ULL, 7 };
	out[0] = bpf_snprintf(text, sizeof(text), "%d|%6s|%-6x|%c|%llu|%05u", args, sizeof(args));
	__builtin_memcpy(data, text, sizeof(text));
	char small[8] = {};
	out[1] = bpf_snprintf(small, sizeof(small), "%u-%d", args + 4, 16);
	__builtin_memcpy(data + 64, small, sizeof(small));
	out[2] = bpf_snprintf(0, 0, "%d %d", args + 2, 16);
	out[3] = bpf_snprintf(small, 1, "%x", args, 8);

	out[4] = bpf_strncmp(word, sizeof(word), "word");
	out[5] = bpf_strncmp(word, sizeof(word), "wore");
	out[6] = bpf_strncmp(word, sizeof(word), "wor");
	out[7] = bpf_strncmp(word, 3, "worx");

	struct sum_ctx c = {};
	out[8] = bpf_loop(1000, add, &c, 0);
	out[9] = c.sum;
	out[10] = bpf_loop(5, add, &c, 1);
	out[11] = bpf_loop((1 << 23) + 1, add, &c, 0);

	struct sum_ctx d = {};
	out[12] = bpf_for_each_map_elem(&nums, add_elem, &d, 0);
	out[13] = d.sum;

	__u64 v = 0x1111;
	out[14] = bpf_probe_read_kernel(&v, sizeof(v), (void *)0xdead0000);
	out[15] = v;
	char copy[8];
	out[16] = bpf_probe_read_kernel_str(copy, sizeof(copy), word);
	out[17] = bpf_probe_read_kernel_str(copy, 3, word);
	out[18] = copy[0] | copy[1] << 8 | copy[2] << 16;
	out[19] = bpf_probe_read_kernel_str(copy, sizeof(copy), (void *)0xdead0000);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
