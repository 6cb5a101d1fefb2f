/*
 * Map value types for the value formatter, compared with `bpftool map dump` of the same bytes:
 * integers of every width and sign, text and non-text char arrays, bool, enums, bitfields, nested
 * and anonymous aggregates, pointers, 128-bit ints, typedefs, and global data sections.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned long long u64_t;
enum mode { MODE_OFF = 0, MODE_ON = 1, MODE_NEG = -2 };

struct point { short x, y; };

struct value {
  signed char s8;
  unsigned char u8;
  short s16;
  unsigned short u16;
  int s32;
  unsigned int u32;
  long long s64;
  u64_t u64;
  char name[12];
  unsigned char raw[6];
  _Bool on;
  enum mode mode;
  unsigned int bf_a : 3;
  int bf_b : 7;
  unsigned long long bf_c : 33;
  struct point pts[2];
  union { int as_int; unsigned char as_bytes[4]; };
  struct { int inner_a; char inner_tag[4]; } named_inner;
  void *ptr;
  unsigned __int128 big;
  int grid[2][3];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, unsigned int);
  __type(value, struct value);
} values SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, struct point);
  __type(value, enum mode);
} by_point SEC(".maps");

int counter = 3;
char greeting[8] = "hi";
long totals[3];

SEC("xdp")
int values_prog(struct xdp_md *ctx)
{
  unsigned int k = 0;
  struct value *v = bpf_map_lookup_elem(&values, &k);
  struct point p = { 1, 2 };
  enum mode *m = bpf_map_lookup_elem(&by_point, &p);
  if (v && m)
    totals[0] += v->s32 + *m + counter + greeting[0];
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
