/*
 * Host-side oracle for parseBtfMapDefs (not a BPF program): opens a BPF object with libbpf (no
 * kernel needed) and prints, for each map libbpf read from .maps, the definition it decoded:
 * "name type key_size value_size max_entries map_flags numa_node map_extra key_type value_type
 * pinned inner(type,key,value,max)". Usage: btf_map_defs_oracle OBJ
 */
#include <stdio.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
  if (argc != 2)
    return 2;
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj)
    return 1;
  struct bpf_map *map;
  bpf_object__for_each_map(map, obj) {
    if (bpf_map__is_internal(map))
      continue;
    struct bpf_map *inner = bpf_map__inner_map(map);
    printf("%s %u %u %u %u %u %u %llu %u %u %d", bpf_map__name(map), bpf_map__type(map), bpf_map__key_size(map),
           bpf_map__value_size(map), bpf_map__max_entries(map), bpf_map__map_flags(map), bpf_map__numa_node(map),
           (unsigned long long)bpf_map__map_extra(map), bpf_map__btf_key_type_id(map), bpf_map__btf_value_type_id(map),
           bpf_map__pin_path(map) != NULL);
    if (inner)
      printf(" inner(%u,%u,%u,%u)", bpf_map__type(inner), bpf_map__key_size(inner), bpf_map__value_size(inner),
             bpf_map__max_entries(inner));
    printf("\n");
  }
  bpf_object__close(obj);
  return 0;
}
