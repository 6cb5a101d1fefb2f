/*
 * Tracing programs for the test-run tests (test/progtypes-trace.test.ts): BPF_PROG_TEST_RUN runs
 * raw tracepoints with ctx_in as their u64 arguments and refuses kprobes, tracepoints and perf
 * events; tsbpf's runWithContext runs all of them on a context the test builds.
 */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

/* arg0 + 2 * arg1 + 3 * arg2, truncated to 32 bits by the test run's retval. */
SEC("raw_tracepoint/sys_enter")
int raw_args(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[0] + 2 * ctx->args[1] + 3 * ctx->args[2];
}

/* The upper half of arg0 (retval is r0's lower 32 bits). */
SEC("raw_tracepoint/sys_exit")
int raw_high(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[0] >> 32;
}

/* The first two integer arguments of the probed function: rdi - rsi. */
SEC("kprobe/do_sys_openat2")
int kprobe_regs(struct pt_regs *regs)
{
	return regs->rdi - regs->rsi;
}

/* A syscalls/sys_enter_* tracepoint: the syscall number (after the 8 bytes of common fields). */
SEC("tracepoint/syscalls/sys_enter_openat")
int tp_nr(void *ctx)
{
	return *(int *)((char *)ctx + 8);
}

/* The sample period plus the instruction pointer's lowest byte. */
SEC("perf_event")
int perf_period(struct bpf_perf_event_data *ctx)
{
	return ctx->sample_period + (ctx->regs.rip & 0xff);
}

char _license[] SEC("license") = "GPL";
