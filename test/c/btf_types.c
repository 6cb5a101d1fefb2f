/*
 * Many shapes of C types, for the BTF parser, the C printer and the value formatter: bitfields,
 * anonymous nested structs and unions, enums (signed, 64-bit, one-byte), typedef chains, function
 * pointers, multi-dimensional arrays, forward declarations, qualifiers, floats, type and decl tags,
 * BTF-defined maps and global data in .data/.bss/.rodata.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))

typedef unsigned int u32_t;
typedef u32_t counter_t;
typedef const volatile counter_t cv_counter_t;

enum color { RED, GREEN = 5, BLUE = -3 };
enum big { BIG_SMALL = 1, BIG_LARGE = 0x123456789aLL };
enum small { S_A, S_B } __attribute__((packed));
enum { ANON_ONE = 1, ANON_TWO = 2 };

struct opaque; /* only ever used through a pointer: a forward declaration */
union opaque_u;

struct list { struct list *next, *prev; };

typedef int (*handler_t)(void *ctx, struct list *l, const char *name);

struct flags {
  unsigned int a : 1;
  unsigned int b : 3;
  int c : 5;
  unsigned long long d : 40;
  unsigned char e;
  unsigned short f : 9;
};

struct inner { int x; char y; };

struct everything {
  int i;
  unsigned long ul;
  char name[16];
  int matrix[3][4];
  struct inner in;
  struct inner ins[2];
  struct {
    int ax;
    union { int u1; float u2; };
  } anon_member;
  union { long l; double d; };
  struct { short s1, s2; };
  enum color col;
  enum big bg;
  enum small sm;
  enum { INLINE_A, INLINE_B } inl;
  counter_t cnt;
  cv_counter_t cvc;
  const char *str;
  void *vp;
  struct opaque *op;
  union opaque_u *opu;
  struct list head;
  handler_t handler;
  void (*cb)(int, ...);
  int (*(*fp_arr[2]))(long);
  _Bool flag;
  struct flags fl;
  int __ttag("user") *tagged;
  int tagged_member __tag("member");
  char tail[];
};

struct pkt { int len; unsigned char data[8]; } __attribute__((packed));
struct unaligned { char c; int i; long l; } __attribute__((packed));

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 128);
  __type(key, u32_t);
  __type(value, struct everything);
} everything_map SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, int);
  __type(value, struct pkt);
} pkt_map SEC(".maps");

int global_counter = 7;
int zeroed[4];
const volatile long config_value = 42;
static struct inner static_inner = { 1, 2 };
struct opaque *forward_ptr;
struct unaligned unaligned_global;

__attribute__((noinline)) static int helper_fn(struct everything *e, int k) __tag("helper")
{
  return e->i + k + static_inner.x;
}

SEC("xdp")
int prog(struct xdp_md *ctx)
{
  u32_t key = 0;
  struct everything *e = bpf_map_lookup_elem(&everything_map, &key);
  if (!e)
    return XDP_PASS;
  global_counter++;
  zeroed[1] = config_value;
  return helper_fn(e, ctx->ingress_ifindex) > 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
