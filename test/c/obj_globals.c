// Global data: .data, .rodata (const volatile config and a const char[] format), .bss, a string
// literal in .rodata.str1.1 and a custom .data.counters section. Each becomes an array map; the
// lddw that reads them becomes map_idx_value with the variable's offset.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int data_var = 7;
long data_var2 = -1;
const volatile int ro_config = 42;
const volatile __u64 ro_limit = 1000;
int bss_counter;
__u64 bss_array[4];
static int static_data = 5;
int custom_hits SEC(".data.counters") = 3;

SEC("tracepoint/syscalls/sys_enter_execve")
int globals_tp(void *ctx)
{
	static const char fmt[] = "execve %d\n";
	bpf_trace_printk(fmt, sizeof(fmt), ro_config);
	bpf_printk("literal %d", data_var);
	bpf_trace_printk("str1 %d\n", 9, bss_counter); /* a bare literal: .rodata.str1.1 */
	bss_counter += data_var2 + static_data;
	bss_array[2] = ro_limit;
	custom_hits++;
	static_data++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
