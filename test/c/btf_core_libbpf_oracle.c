/*
 * Host-side oracle for the CO-RE tests (not a BPF program): opens a BPF object with libbpf, points
 * its CO-RE relocation at a target BTF file (or the running kernel's), and prints libbpf's debug log,
 * which says what each relocation patched ("patched insn #N (ALU/ALU64) imm A -> B", "substituting
 * insn #N w/ invalid insn"). Loading the programs afterwards may fail; the relocations are logged
 * before that.  Usage: btf_core_libbpf_oracle OBJ [TARGET_BTF]
 */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

static int print_all(enum libbpf_print_level level, const char *fmt, va_list args)
{
  (void)level;
  return vfprintf(stdout, fmt, args);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s OBJ [TARGET_BTF]\n", argv[0]);
    return 2;
  }
  libbpf_set_print(print_all);
  LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argc > 2 ? argv[2] : NULL);
  struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
  if (!obj) {
    fprintf(stdout, "ORACLE: open failed\n");
    return 1;
  }
  int err = bpf_object__load(obj);
  fprintf(stdout, "ORACLE: load returned %d\n", err);
  bpf_object__close(obj);
  return 0;
}
