// One program per common SEC() kind, two programs in one section, and a '?' (no autoload)
// section: the section table's conventions as clang writes them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int tc_ok(struct __sk_buff *skb)
{
	return 0;
}

SEC("classifier")
int cls_ok(struct __sk_buff *skb)
{
	return 0;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int tp_execve(void *ctx)
{
	return 0;
}

SEC("tp/sched/sched_switch")
int tp_switch(void *ctx)
{
	return 0;
}

SEC("kprobe/do_sys_open")
int kp_open(struct pt_regs *ctx)
{
	return 0;
}

SEC("kretprobe/do_sys_open")
int krp_open(struct pt_regs *ctx)
{
	return 0;
}

SEC("kprobe/tcp_v4_connect+0x10")
int kp_offset(struct pt_regs *ctx)
{
	return 0;
}

SEC("uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:malloc")
int up_malloc(struct pt_regs *ctx)
{
	return 0;
}

SEC("uretprobe//bin/bash:readline+16")
int urp_readline(struct pt_regs *ctx)
{
	return 0;
}

SEC("uprobe")
int up_manual(struct pt_regs *ctx)
{
	return 0;
}

SEC("usdt/./app:myprov:mark")
int usdt_mark(struct pt_regs *ctx)
{
	return 0;
}

SEC("raw_tp/sched_switch")
int rawtp_switch(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int rawtp_enter(void *ctx)
{
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlink, int dfd, void *name)
{
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(fexit_unlink, int dfd, void *name, long ret)
{
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_open, void *file)
{
	return 0;
}

SEC("iter/task")
int iter_task(void *ctx)
{
	return 0;
}

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/connect4")
int cg_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("perf_event")
int on_perf(void *ctx)
{
	return 0;
}

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb)
{
	return SK_PASS;
}

SEC("sockops")
int sockops_prog(struct bpf_sock_ops *ctx)
{
	return 1;
}

SEC("seccomp")
int seccomp_filter(void *ctx)
{
	return 0x7fff0000; /* SECCOMP_RET_ALLOW */
}

SEC("?tc")
int tc_optional(struct __sk_buff *skb)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x050a00;
