// Code in a section whose name says no program type: libbpf cannot guess the type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("mystery/thing")
int mystery(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
