/* Byte swaps: __builtin_bswap16/32/64 become `be16/be32/be64` on little-endian BPF. */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;

__attribute__((section("socket/bswap"), used))
u64 bswap(u64 *p)
{
	u16 h = __builtin_bswap16((u16)p[0]);
	u32 w = __builtin_bswap32((u32)p[1]);
	u64 d = __builtin_bswap64(p[2]);
	return d + w + h;
}
