/*
 * Which helpers the running kernel lets a program type call: for each helper id, load
 * "call id; r0 = 0; exit" (GPL) and read the verifier's answer. A helper is available unless the
 * verifier says the type cannot use it ("cannot use helper", "unknown func", "not supported for
 * program type"); refusals about arguments mean the call itself was allowed.
 * Usage: progtypes_helper_probe PROG_TYPE EXPECTED_ATTACH_TYPE MAX_ID
 * Prints the available ids, one per line.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char log_buf[1 << 16];

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s PROG_TYPE EXPECTED_ATTACH_TYPE MAX_ID\n", argv[0]);
		return 2;
	}
	int type = atoi(argv[1]), attach = atoi(argv[2]), max = atoi(argv[3]);
	for (int id = 1; id <= max; id++) {
		struct bpf_insn insns[] = {
			{ .code = BPF_JMP | BPF_CALL, .imm = id },
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.prog_type = type;
		attr.expected_attach_type = attach;
		attr.insns = (unsigned long)insns;
		attr.insn_cnt = 3;
		attr.license = (unsigned long)"GPL";
		attr.log_buf = (unsigned long)log_buf;
		attr.log_size = sizeof(log_buf);
		attr.log_level = 1;
		log_buf[0] = 0;
		int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
		if (fd >= 0) {
			close(fd);
			printf("%d\n", id);
			continue;
		}
		if (strstr(log_buf, "cannot use helper") || strstr(log_buf, "unknown func") ||
		    strstr(log_buf, "invalid func") || strstr(log_buf, "not supported for program type"))
			continue;
		printf("%d\n", id);
	}
	return 0;
}
