/* The v3 atomics: fetch variants, exchange and compare-exchange, 64- and 32-bit (compile with -mcpu=v3). */
typedef unsigned long long u64;
typedef unsigned int u32;

__attribute__((section("socket/atomic64"), used))
u64 atomic64(u64 *p, u64 v)
{
	__sync_fetch_and_or(p, v);
	__sync_fetch_and_and(p, v);
	__sync_fetch_and_xor(p, v);
	u64 a = __sync_fetch_and_add(p, v);
	a += __sync_fetch_and_or(p, v);
	a += __sync_fetch_and_and(p, v);
	a += __sync_fetch_and_xor(p, v);
	a += __sync_fetch_and_sub(p, v);
	a += __sync_lock_test_and_set(p, v);
	a += __sync_val_compare_and_swap(p, a, v);
	return a;
}

__attribute__((section("socket/atomic32"), used))
u32 atomic32(u32 *q, u32 w)
{
	__sync_fetch_and_or(q, w);
	__sync_fetch_and_and(q, w);
	__sync_fetch_and_xor(q, w);
	u32 b = __sync_fetch_and_add(q, w);
	b += __sync_fetch_and_or(q, w);
	b += __sync_fetch_and_and(q, w);
	b += __sync_fetch_and_xor(q, w);
	b += __sync_lock_test_and_set(q, w);
	b += __sync_val_compare_and_swap(q, b, w);
	return b;
}
