// The book's first program: say hello each time a process calls execve(2).
// `tsbpf prog run` gives it a zeroed tracepoint context; `tsbpf prog tracelog` prints the line.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk("Hello, BPF World!");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
