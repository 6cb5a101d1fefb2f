// A static entry function: libbpf 1.x refuses it ("program is static and not supported"), tsbpf
// loads it with a warning.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
static int static_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int global_xdp(struct xdp_md *ctx)
{
	return static_xdp(ctx);
}

char LICENSE[] SEC("license") = "GPL";
