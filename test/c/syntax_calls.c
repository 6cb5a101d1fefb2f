/* bpf-to-bpf calls, helper calls, 64-bit constants (lddw) and a map reference (lddw + relocation). */
typedef unsigned long long u64;
typedef unsigned int u32;

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static u32 (*bpf_get_prandom_u32)(void) = (void *)7;
static long (*bpf_trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;

struct map_def {
	u32 type, key_size, value_size, max_entries;
} counters __attribute__((section("maps"), used)) = { 2, 4, 8, 16 };

static __attribute__((noinline)) u64 mix(u64 a, u64 b)
{
	return (a ^ 0x9e3779b97f4a7c15ULL) * b + (a >> 7);
}

static __attribute__((noinline)) int deep(int n)
{
	return n > 0 ? (int)mix(n, n + 1) : -1;
}

__attribute__((section("socket/calls"), used))
int calls(void *ctx)
{
	u32 key = bpf_get_prandom_u32() & 15;
	u64 *val = bpf_map_lookup_elem(&counters, &key);
	if (!val) {
		u64 init = 1;
		bpf_map_update_elem(&counters, &key, &init, 0);
		return 0;
	}
	*val += mix(bpf_ktime_get_ns(), 0x123456789abcdefULL);
	char fmt[] = "v %llu\n";
	bpf_trace_printk(fmt, sizeof(fmt), *val);
	return deep((int)*val) + (int)mix(*val, 0xffffffff00000000ULL);
}
