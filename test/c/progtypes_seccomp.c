/*
 * A seccomp filter as an eBPF program, for tsbpf's seccomp pseudo program type (SEC("seccomp")):
 * the kernel has no such type, so this object is only loaded into tsbpf.
 */
#include <linux/bpf.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <bpf/bpf_helpers.h>

/* Kill other architectures, refuse execve (59) with EPERM, log openat (257) of fd AT_FDCWD, allow the rest. */
SEC("seccomp")
int filter(struct seccomp_data *ctx)
{
	if (ctx->arch != AUDIT_ARCH_X86_64)
		return SECCOMP_RET_KILL_PROCESS;
	if (ctx->nr == 59)
		return SECCOMP_RET_ERRNO | 1;
	if (ctx->nr == 257 && (int)ctx->args[0] == -100)
		return SECCOMP_RET_LOG;
	return SECCOMP_RET_ALLOW;
}

char _license[] SEC("license") = "GPL";
