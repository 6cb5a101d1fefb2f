// The programs of bench/jit.ts as one XDP object, run on the same frame by the kernel (its JIT,
// BPF_PROG_TEST_RUN with repeat) and by tsbpf (the interpreter and the JIT). Each computes what
// bench/programs/*.s computes on the raw path, over the packet instead of the input block.
#include <linux/bpf.h>

#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

static long (*bpf_map_lookup_elem_)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem_)(void *map, const void *key, const void *value, unsigned long flags) = (void *)2;
static long (*bpf_tail_call_)(void *ctx, void *map, unsigned int index) = (void *)12;

char LICENSE[] SEC("license") = "GPL";

// FNV-1a 64 over the first 1,500 bytes of the packet.
SEC("xdp")
int fnv1a(struct xdp_md *ctx)
{
	unsigned char *p = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	unsigned long h = 0xcbf29ce484222325UL;
	for (int i = 0; i < 1500; i++) {
		if (p + 1 > end)
			break;
		h ^= *p++;
		h *= 0x100000001b3UL;
	}
	return (int)(h ^ (h >> 32));
}

// Ethernet / IPv4 / TCP header parse (bench/programs/parse.s): tcp flags << 16 | dst port, or 0.
SEC("xdp")
int parse(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	if (d + 34 > end)
		return 0;
	if (((d[12] << 8) | d[13]) != 0x0800)
		return 0;
	unsigned int vihl = d[14];
	if ((vihl >> 4) != 4)
		return 0;
	unsigned int ihl = (vihl & 15) << 2;
	if (ihl < 20)
		return 0;
	unsigned int total = (d[16] << 8) | d[17];
	if (total < ihl || d + 14 + total > end)
		return 0;
	if ((((d[20] << 8) | d[21]) & 0x3fff) != 0 || d[23] != 6)
		return 0;
	unsigned char *t = d + 14 + ihl;
	if (t + 20 > end || ihl + 20 > total)
		return 0;
	unsigned int doff = (t[12] >> 4) << 2;
	if (doff < 20 || ihl + doff > total)
		return 0;
	return (t[13] << 16) | (t[2] << 8) | t[3];
}

// Nothing: the cost of a run.
SEC("xdp")
int empty(struct xdp_md *ctx)
{
	return 2;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, unsigned int);
	__type(value, unsigned long);
} counts SEC(".maps");

// One lookup: an increment in place when the key is there (its new count returned), an update
// with 1 when it is new (0 returned).
static __attribute__((always_inline)) unsigned long count(void *map, unsigned int key)
{
	unsigned long *v = (unsigned long *)bpf_map_lookup_elem_(map, &key);
	if (v) {
		*v += 1;
		return *v;
	}
	unsigned long one = 1;
	bpf_map_update_elem_(map, &key, &one, BPF_ANY);
	return 0;
}

// Four hash-map lookups per run, keyed by packet bytes.
SEC("xdp")
int hashmap(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	if (d + 64 > end)
		return 0;
	unsigned long sum = 0;
	for (int i = 0; i < 4; i++)
		sum += count(&counts, d[26 + i] & 63);
	return 2 + (sum & 1);
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, unsigned int);
	__type(value, unsigned long);
} flows SEC(".maps");

unsigned int runs_seen;

// The same four lookups/updates with keys that change every run (1,024 keys in turn, as a program
// meeting new flows): no lookup is one an earlier run made lately.
SEC("xdp")
int hashmap_vary(struct xdp_md *ctx)
{
	unsigned int base = runs_seen++ * 4;
	unsigned long sum = 0;
	for (int i = 0; i < 4; i++)
		sum += count(&flows, (base + i) & 1023);
	return 2 + (sum & 1);
}

// A tail-call chain: entry -> link 1 -> ... -> link 4, each adding to the packet's first byte.
struct xdp_md;
int tail_1(struct xdp_md *ctx);
int tail_2(struct xdp_md *ctx);
int tail_3(struct xdp_md *ctx);
int tail_4(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, unsigned int);
	__array(values, int(struct xdp_md *));
} chain SEC(".maps") = {
	.values = { [1] = (void *)&tail_1, [2] = (void *)&tail_2, [3] = (void *)&tail_3, [4] = (void *)&tail_4 },
};

static __attribute__((always_inline)) int link(struct xdp_md *ctx, unsigned int next)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	if (d + 1 > end)
		return 0;
	d[0] += 1;
	bpf_tail_call_(ctx, &chain, next);
	return 2;
}

SEC("xdp") int tail_entry(struct xdp_md *ctx) { return link(ctx, 1); }
SEC("xdp") int tail_1(struct xdp_md *ctx) { return link(ctx, 2); }
SEC("xdp") int tail_2(struct xdp_md *ctx) { return link(ctx, 3); }
SEC("xdp") int tail_3(struct xdp_md *ctx) { return link(ctx, 4); }
SEC("xdp") int tail_4(struct xdp_md *ctx) { return link(ctx, 7); }
