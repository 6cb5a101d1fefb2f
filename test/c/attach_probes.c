/*
 * Programs for test/kernel-attach.test.ts: counters for a uprobe, a uretprobe, a USDT probe (which
 * also sums its first argument through the tsbpf USDT convention: the BPF cookie is the slot of
 * the site's struct __bpf_usdt_spec in `usdt_specs`), a perf_event sampler, an fentry and a tp_btf
 * program (refused on machines that forbid them), and a kprobe.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

enum { UPROBE, URETPROBE, USDT, USDT_ARG_SUM, SAMPLES, FENTRY, TP_BTF, KPROBE };

static void bump(__u32 k, __u64 by)
{
	__u64 *n = bpf_map_lookup_elem(&counts, &k);

	if (n)
		__sync_fetch_and_add(n, by);
}

SEC("uprobe")
int on_add(struct pt_regs *ctx) { bump(UPROBE, 1); return 0; }

SEC("uretprobe")
int on_add_ret(struct pt_regs *ctx) { bump(URETPROBE, ctx->rax); return 0; }

/* libbpf's struct __bpf_usdt_spec layout (usdt.bpf.h), as tsbpf's attachUsdt writes it. */
struct usdt_arg { __u64 val_off; __u32 type; short reg_off; char is_signed; char bitshift; };
struct usdt_spec { struct usdt_arg args[12]; __u64 cookie; short cnt; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct usdt_spec);
} usdt_specs SEC(".maps");

SEC("usdt")
int on_tick(struct pt_regs *ctx)
{
	__u32 slot = bpf_get_attach_cookie(ctx);
	struct usdt_spec *s = bpf_map_lookup_elem(&usdt_specs, &slot);
	__u64 v = 0;

	bump(USDT, 1);
	if (!s || s->cnt < 1)
		return 0;
	if (s->args[0].type == 1) { /* register */
		bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + s->args[0].reg_off);
	} else if (s->args[0].type == 2) { /* memory at register + offset */
		bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + s->args[0].reg_off);
		bpf_probe_read_user(&v, sizeof(v), (void *)v + s->args[0].val_off);
	} else {
		v = s->args[0].val_off;
	}
	v <<= s->args[0].bitshift;
	v >>= s->args[0].bitshift;
	bump(USDT_ARG_SUM, v);
	return 0;
}

SEC("perf_event")
int on_sample(void *ctx) { bump(SAMPLES, 1); return 0; }

SEC("fentry/do_nanosleep")
int on_nanosleep(void *ctx) { bump(FENTRY, 1); return 0; }

SEC("tp_btf/sched_process_exec")
int on_exec_btf(void *ctx) { bump(TP_BTF, 1); return 0; }

SEC("kprobe/do_nanosleep")
int on_kprobe(struct pt_regs *ctx) { bump(KPROBE, 1); return 0; }
