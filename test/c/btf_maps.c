/*
 * BTF-defined maps of every shape libbpf's parser accepts: __type and explicit sizes, flags, NUMA
 * node, pinning, map_extra, a map-in-map with an inner definition, a prog array with initial slots.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key { int a; short b; };

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct key);
  __type(value, long);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_hash SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __uint(key_size, 4);
  __uint(value_size, 24);
  __uint(numa_node, 0);
} sized_array SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
  __uint(max_entries, 100);
  __type(value, int);
  __uint(map_extra, 3);
} bloom SEC(".maps");

struct inner_map {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, int);
  __type(value, int);
} inner1 SEC(".maps"), inner2 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 4);
  __type(key, int);
  __array(values, struct inner_map);
} outer SEC(".maps") = {
  .values = { [0] = &inner1, [2] = &inner2 },
};

int tail_target(void *ctx);

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 2);
  __type(key, int);
  __array(values, int (void *));
} jumps SEC(".maps") = {
  .values = { [1] = (void *)&tail_target },
};

SEC("xdp")
int tail_target(void *ctx)
{
  return XDP_PASS;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
  bpf_tail_call(ctx, &jumps, 1);
  return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
