/*
 * A host-side oracle for the test-run tests: BPF_PROG_TEST_RUN on a pinned program with exactly
 * the attributes given (bpftool always passes repeat, so it cannot test-run raw tracepoints).
 * Usage: progtypes_testrun_oracle PIN DATA_IN|- CTX_IN|- REPEAT FLAGS CPU DATA_OUT|- CTX_OUT|-
 * Prints one JSON line: {"errno":E,"retval":R,"duration":D,"data_size_out":N,"ctx_size_out":M}.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static unsigned char *slurp(const char *path, unsigned int *len)
{
	static unsigned char empty[1];
	if (strcmp(path, "-") == 0) {
		*len = 0;
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	unsigned char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return *len ? buf : empty;
}

static void spill(const char *path, const unsigned char *buf, unsigned int len)
{
	if (strcmp(path, "-") == 0)
		return;
	FILE *f = fopen(path, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: %s PIN DATA_IN CTX_IN REPEAT FLAGS CPU DATA_OUT CTX_OUT\n", argv[0]);
		return 2;
	}
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (unsigned long)argv[1];
	int fd = sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0) {
		perror("BPF_OBJ_GET");
		return 2;
	}
	unsigned int data_len, ctx_len;
	unsigned char *data = slurp(argv[2], &data_len);
	unsigned char *ctx = slurp(argv[3], &ctx_len);
	static unsigned char data_out[1 << 20], ctx_out[1 << 16];
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = (unsigned long)data;
	attr.test.data_size_in = data_len;
	attr.test.ctx_in = (unsigned long)ctx;
	attr.test.ctx_size_in = ctx_len;
	attr.test.repeat = strtoul(argv[4], NULL, 0);
	attr.test.flags = strtoul(argv[5], NULL, 0);
	attr.test.cpu = strtoul(argv[6], NULL, 0);
	if (strcmp(argv[7], "-") != 0) {
		attr.test.data_out = (unsigned long)data_out;
		attr.test.data_size_out = sizeof(data_out);
	}
	if (strcmp(argv[8], "-") != 0) {
		attr.test.ctx_out = (unsigned long)ctx_out;
		attr.test.ctx_size_out = sizeof(ctx_out);
	}
	long r = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	int err = r < 0 ? errno : 0;
	if (!err) {
		spill(argv[7], data_out, attr.test.data_size_out);
		spill(argv[8], ctx_out, attr.test.ctx_size_out);
	}
	printf("{\"errno\":%d,\"retval\":%u,\"duration\":%u,\"data_size_out\":%u,\"ctx_size_out\":%u}\n",
	       err, attr.test.retval, attr.test.duration, attr.test.data_size_out, attr.test.ctx_size_out);
	return 0;
}
