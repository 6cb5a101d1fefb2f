/* Tracing helpers: trace_printk, snprintf, strncmp, probe_read*, task and time, stack ids. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args { __u64 a, b, c, d; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024); /* ids are hash buckets: room enough that these few stacks do not collide */
	__type(key, __u32);
	__uint(value_size, 8 * 8);
} stacks SEC(".maps");

char text[64];
char comm[16];
char small[8];
__u8 bytes[16];
const char secret[] = "kernel memory";

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&out, &i, &v, BPF_ANY);
}

SEC("kprobe/printk")
int printk(struct args *ctx)
{
	char s[] = "str";
	bpf_printk("hello %d %x", 42, 255);
	bpf_printk("w[%08x] [%-5d] [%5u]", 0xab, -3, 7);
	bpf_printk("s=%s c=%c %%", s, 'Z');
	bpf_printk("ll %lld %llu %llx", -1LL, -1LL, 0x1234567890abcdefLL);
	bpf_printk("i %i %ld %lu", -5, -6L, 7UL);
	bpf_printk("X %X %+d % d", 0xbeef, 5, 6);
	bpf_printk("[%5s][%-5s][%c%3c]", s, s, 'a', 'b');
	bpf_printk("%x %lx %d", -1, -1L, 0x100000005LL);
	bpf_printk("%05d|%-05d|%+05d|%05x", -42, 42, 42, 0xab);
	unsigned char ip[4] = {10, 0, 0, 1};
	bpf_printk("%pI4 %pi4 %s", ip, ip, (char *)0);
	put(0, bpf_printk("nl\n"));
	return 0;
}

/* More than three arguments: libbpf's bpf_printk switches to bpf_trace_vprintk. */
SEC("kprobe/vprintk")
int vprintk(struct args *ctx)
{
	put(0, bpf_printk("four %d %d %d %lld", 1, 2, 3, ctx->a));
	__u64 args[1] = {1};
	put(1, bpf_trace_vprintk("bad", 4, args, 4));
	return 0;
}

SEC("kprobe/printk_bad")
int printk_bad(struct args *ctx)
{
	char s[] = "str";
	put(0, bpf_printk("bad %q", 1));
	put(1, bpf_printk("bad %sx", s));
	put(2, bpf_printk("%d %d %d %d", 1, 2, 3));
	put(3, bpf_printk("%5.2d", 1));
	put(4, bpf_printk("%#x", 1));
	put(5, bpf_printk("%pZ", s));
	char fmt[4] = {'a', 'b', 'c', 'd'}; /* no NUL within fmt_size */
	put(6, bpf_trace_printk(fmt, sizeof(fmt)));
	put(7, bpf_printk("ok %p", s));
	return 0;
}

SEC("kprobe/snprintf")
int snprintf_prog(struct args *ctx)
{
	put(0, BPF_SNPRINTF(text, sizeof(text), "pid=%d comm=%s hex=%08llx", 4242, "tsbpf", ctx->a));
	put(1, BPF_SNPRINTF(small, sizeof(small), "%d-%d-%d", 100, 200, 300));
	__u64 args[2] = {1, 2};
	put(2, bpf_snprintf(small, sizeof(small), "%d %d %d", args, sizeof(args)));
	put(3, bpf_snprintf(small, sizeof(small), "%d", args, 12));
	put(4, bpf_snprintf(0, 0, "%d", args, 8));
	return 0;
}

SEC("kprobe/strncmp")
int strncmp_prog(struct args *ctx)
{
	char a[8] = "tsbpf";
	put(0, bpf_strncmp(a, sizeof(a), "tsbpf"));
	put(1, bpf_strncmp(a, sizeof(a), "tsbpg"));
	put(2, bpf_strncmp(a, sizeof(a), "tsbp"));
	put(3, bpf_strncmp(a, 4, "tsbx"));
	put(4, bpf_strncmp(a, 3, "tsbx"));
	put(5, bpf_strncmp(a, sizeof(a), "tsbpe"));
	return 0;
}

SEC("kprobe/probe")
int probe(struct args *ctx)
{
	__u64 v = 0x1111111111111111ULL;
	/* a good read: the .rodata string; a bad one: the address in ctx->a */
	put(0, bpf_probe_read_kernel(bytes, 8, secret));
	put(1, bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx->a));
	put(2, v);
	put(3, bpf_probe_read_kernel_str(comm, sizeof(comm), secret));
	put(4, bpf_probe_read_user_str(small, sizeof(small), secret));
	put(5, bpf_probe_read_str(text, sizeof(text), (void *)ctx->a));
	put(6, bpf_probe_read_user(&v, 0, (void *)ctx->a));
	put(7, bpf_probe_read(&v, 4, &ctx->b));
	put(8, v);
	return 0;
}

SEC("kprobe/task")
int task(struct args *ctx)
{
	put(0, bpf_get_current_pid_tgid());
	put(1, bpf_get_current_uid_gid());
	put(2, bpf_get_current_comm(comm, sizeof(comm)));
	put(3, bpf_get_current_comm(small, sizeof(small)));
	put(4, bpf_get_smp_processor_id());
	put(5, bpf_get_numa_node_id());
	put(6, bpf_get_prandom_u32());
	put(7, bpf_get_func_ip(ctx));
	return 0;
}

SEC("kprobe/clock")
int clock(struct args *ctx)
{
	put(0, bpf_ktime_get_ns());
	put(1, bpf_ktime_get_boot_ns());
	put(2, bpf_ktime_get_coarse_ns());
	put(3, bpf_jiffies64());
	return 0;
}

SEC("kprobe/stackid")
int stackid(struct args *ctx)
{
	put(0, bpf_get_stackid(ctx, &stacks, 0));
	put(1, bpf_get_stackid(ctx, &stacks, 0));
	put(2, bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK));
	put(3, bpf_get_stackid(ctx, &stacks, 1));
	put(4, bpf_get_stackid(ctx, &stacks, 3));
	put(5, bpf_get_stackid(ctx, &stacks, 1ULL << 12));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
