/* Atomic read-modify-write without fetch: BPF_XADD in -mcpu=v1/v2, BPF_ATOMIC add/or/and/xor in v3. */
typedef unsigned long long u64;
typedef unsigned int u32;

__attribute__((section("socket/xadd"), used))
int xadd(u64 *p, u32 *q, u64 v)
{
	__sync_fetch_and_add(p, v);
	__sync_fetch_and_add(q, (u32)v);
	__sync_fetch_and_add(&p[2], 1);
	return 0;
}
