/*
 * A CO-RE program: local views of kernel-like types marked preserve_access_index, read through
 * BPF_CORE_READ and the bpf_core_* existence/size/enum helpers. The tests relocate it against
 * btf_core_target.c (the same type names, laid out differently) and against the running vmlinux.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __pai __attribute__((preserve_access_index))

enum core_state { ST_IDLE = 0, ST_RUN = 1, ST_GONE = 2 };

struct core_inner { int x; long y; } __pai;

struct core_obj {
  int a;
  char b;
  struct core_inner in;
  union { long u_long; int u_int; };
  int arr[4];
  unsigned int flags : 3;
  int sflag : 5;
  unsigned long long wide : 40;
  struct core_obj *next;
  unsigned int small_len;
  enum core_state state;
  int only_local;
} __pai;

/* A flavor: matched as "core_obj" in the target; only the fields it names must exist there. */
struct core_obj___renamed { int new_name; } __pai;

/* Absent from every target. */
struct core_missing { int z; } __pai;

typedef struct core_obj core_obj_t;

/* The real kernel's task_struct, as much of it as we read. */
struct task_struct { int pid; int tgid; void *stack; int no_such_field_here; } __pai;
enum bpf_map_type___local { BPF_MAP_TYPE_HASH___local = 1 };

long out[32];

SEC("tp_btf/x")
int core_prog(struct core_obj *o)
{
  int i = 0;
  out[i++] = BPF_CORE_READ(o, a);
  out[i++] = BPF_CORE_READ(o, in.y);
  out[i++] = BPF_CORE_READ(o, next, b);
  out[i++] = BPF_CORE_READ(o, arr[2]);
  out[i++] = BPF_CORE_READ(o, u_int);
  out[i++] = bpf_core_field_exists(o->only_local);
  out[i++] = bpf_core_field_exists(o->b);
  out[i++] = bpf_core_field_size(o->small_len);
  out[i++] = bpf_core_field_size(o->in);
  out[i++] = BPF_CORE_READ_BITFIELD_PROBED(o, flags);
  out[i++] = BPF_CORE_READ_BITFIELD_PROBED(o, sflag);
  out[i++] = BPF_CORE_READ_BITFIELD(o, wide);
  out[i++] = bpf_core_type_exists(struct core_obj);
  out[i++] = bpf_core_type_exists(struct core_missing);
  out[i++] = bpf_core_type_size(struct core_obj);
  out[i++] = bpf_core_type_size(core_obj_t);
  out[i++] = bpf_core_enum_value_exists(enum core_state, ST_GONE);
  out[i++] = bpf_core_enum_value(enum core_state, ST_RUN);
  out[i++] = bpf_core_enum_value(enum core_state, ST_GONE);
  out[i++] = bpf_core_type_id_local(struct core_obj);
  out[i++] = bpf_core_type_id_kernel(struct core_obj);
  out[i++] = o->small_len; /* a direct load: LDX with a relocated offset and size */
  if (bpf_core_field_exists(((struct core_obj___renamed *)o)->new_name))
    out[i++] = BPF_CORE_READ((struct core_obj___renamed *)o, new_name);
  out[i++] = BPF_CORE_READ((struct core_missing *)o, z);
  return 0;
}

SEC("tp_btf/y")
int vmlinux_prog(void *ctx)
{
  struct task_struct *t = (void *)bpf_get_current_task();
  out[0] = BPF_CORE_READ(t, pid);
  out[1] = BPF_CORE_READ(t, tgid);
  out[2] = bpf_core_field_exists(t->no_such_field_here);
  out[3] = bpf_core_field_size(t->stack);
  out[4] = bpf_core_enum_value(enum bpf_map_type___local, BPF_MAP_TYPE_HASH___local);
  out[5] = bpf_core_type_exists(struct task_struct);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
