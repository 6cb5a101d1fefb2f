// Constant strings (ARG_PTR_TO_CONST_STR): bpf_strncmp and bpf_snprintf take their string or
// format from a read-only map value, .rodata, at a constant offset.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile char want[8] = "nginx";
const volatile char fmt[16] = "pid %d\n";
char writable[8] = "bash";

/* strncmp against a string in .rodata */
SEC("kprobe/do_nanosleep") int accept_strncmp_rodata(void *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	return bpf_strncmp(comm, 8, (const char *)want) == 0;
}

/* snprintf with its format in .rodata */
SEC("kprobe/do_nanosleep") int accept_snprintf_rodata(void *ctx)
{
	char out[32];
	__u64 args[1] = { bpf_get_current_pid_tgid() >> 32 };
	return bpf_snprintf(out, sizeof(out), (const char *)fmt, args, sizeof(args)) > 0;
}

/* strncmp against a string in .data, which the program could change */
SEC("kprobe/do_nanosleep") int reject_strncmp_writable(void *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	return bpf_strncmp(comm, 8, writable) == 0;
}

/* strncmp against a string on the stack */
SEC("kprobe/do_nanosleep") int reject_strncmp_stack(void *ctx)
{
	char comm[16];
	char other[8] = "sh";
	bpf_get_current_comm(comm, sizeof(comm));
	return bpf_strncmp(comm, 8, other) == 0;
}

/* the first buffer of strncmp is shorter than the size given */
SEC("kprobe/do_nanosleep") int reject_strncmp_size_past_buffer(void *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	return bpf_strncmp(comm, 32, (const char *)want) == 0;
}
