/*
 * A hand-made "kernel" for the CO-RE tests: the types btf_core.c reads, laid out differently, some
 * fields renamed or missing, some sizes changed. Compiled with -g, its .BTF is the target BTF.
 */
enum core_state { ST_GONE = 7, ST_IDLE = 0, ST_RUN = 10, ST_NEW = 11 };

struct core_inner { long pad; long y; int x; };

struct core_obj {
  long long header[3];
  struct core_inner in;
  int new_name;
  char b;
  short a;
  struct core_obj *next;
  struct {
    int before;
    union { long u_long; int u_int; };
  };
  int arr[8];
  unsigned int pad_bits : 7;
  unsigned int flags : 3;
  unsigned long long wide : 40;
  signed char sflag : 5;
  unsigned char small_len;
  enum core_state state;
};

typedef struct core_obj core_obj_t;

struct core_obj the_obj;
core_obj_t the_obj_t;
enum core_state the_state;
