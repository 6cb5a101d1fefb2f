/* Map types driven from a BPF program, for comparing the VM with the kernel on the same runs. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } pc_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } lru_pc SEC(".maps");

struct lpm_key { __u32 prefixlen; __u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 8); __type(key, struct lpm_key); __type(value, __u32); __uint(map_flags, BPF_F_NO_PREALLOC); } routes SEC(".maps");

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } inner0 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } outer SEC(".maps") = { .values = { [0] = &inner0 } };

SEC("xdp") int maps_prog(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  if (data + sizeof(struct ethhdr) + sizeof(struct iphdr) > end) return XDP_ABORTED;
  struct iphdr *ip = data + sizeof(struct ethhdr);
  __u32 proto = ip->protocol;
  __u64 one = 1, *v;

  v = bpf_map_lookup_elem(&pc_hash, &proto);
  if (v) *v += 1; else bpf_map_update_elem(&pc_hash, &proto, &one, BPF_NOEXIST);

  __u32 src = ip->saddr & 0xff;
  v = bpf_map_lookup_elem(&lru, &src);
  if (v) *v += ip->ttl; else { __u64 t = ip->ttl; bpf_map_update_elem(&lru, &src, &t, BPF_ANY); }
  v = bpf_map_lookup_elem(&lru_pc, &src);
  if (v) *v += 2; else { __u64 t = 2; bpf_map_update_elem(&lru_pc, &src, &t, BPF_ANY); }

  struct lpm_key k = { .prefixlen = 32, .addr = ip->daddr };
  __u32 *cls = bpf_map_lookup_elem(&routes, &k);
  __u32 c = cls ? *cls : 0;

  __u32 zero = 0;
  void *in = bpf_map_lookup_elem(&outer, &zero);
  if (in) {
    __u64 *x = bpf_map_lookup_elem(in, &zero);
    if (x) *x += c + 1;
  }
  return c == 2 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
