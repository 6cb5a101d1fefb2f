/*
 * Host-side oracle for formatValue (not a BPF program): creates the maps of a BPF object with libbpf
 * (programs are not loaded), writes the given entries, and prints `bpftool map dump -j` of each map.
 * Usage: btf_map_dump_oracle BPFTOOL OBJ [MAP KEYHEX VALUEHEX]...
 * Output: for each map written, a line "MAP <name>" followed by bpftool's JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int unhex(const char *s, unsigned char *out, size_t cap)
{
  size_t n = strlen(s) / 2;
  if (n > cap)
    return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1)
      return -1;
    out[i] = (unsigned char)v;
  }
  return (int)n;
}

int main(int argc, char **argv)
{
  static unsigned char key[4096], value[65536];
  if (argc < 3 || (argc - 3) % 3 != 0) {
    fprintf(stderr, "usage: %s BPFTOOL OBJ [MAP KEYHEX VALUEHEX]...\n", argv[0]);
    return 2;
  }
  struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
  if (!obj) {
    fprintf(stderr, "open failed\n");
    return 1;
  }
  struct bpf_program *prog;
  bpf_object__for_each_program(prog, obj) bpf_program__set_autoload(prog, false);
  int err = bpf_object__load(obj);
  if (err) {
    fprintf(stderr, "load failed: %d\n", err);
    return 1;
  }
  for (int i = 3; i < argc; i += 3) {
    struct bpf_map *map = bpf_object__find_map_by_name(obj, argv[i]);
    if (!map) {
      fprintf(stderr, "no map %s\n", argv[i]);
      return 1;
    }
    int kn = unhex(argv[i + 1], key, sizeof(key)), vn = unhex(argv[i + 2], value, sizeof(value));
    if (kn < 0 || vn < 0 || bpf_map_update_elem(bpf_map__fd(map), key, value, BPF_ANY)) {
      fprintf(stderr, "update of %s failed\n", argv[i]);
      return 1;
    }
  }
  struct bpf_map *map;
  bpf_object__for_each_map(map, obj) {
    struct bpf_map_info info = {};
    unsigned len = sizeof(info);
    if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
      continue;
    char cmd[512];
    printf("MAP %s\n", bpf_map__name(map));
    fflush(stdout);
    snprintf(cmd, sizeof(cmd), "%s map dump id %u -j", argv[1], info.id);
    if (system(cmd) != 0)
      return 1;
    printf("\n");
    fflush(stdout);
  }
  bpf_object__close(obj);
  return 0;
}
