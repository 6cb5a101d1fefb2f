// A stand-in "kernel" for obj_core.c: struct obj_task laid out differently, `state` narrower,
// struct obj_absent missing. Compiled with -g, its .BTF is the CO-RE target.
struct obj_task {
	long long pad[2];
	int tgid;
	short state;
	int pid;
};

struct obj_task obj_core_target_anchor;
