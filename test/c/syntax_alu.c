/* ALU and ALU32 with register and immediate operands: every operator LLVM emits for C arithmetic. */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;

__attribute__((section("socket/alu64"), used))
u64 alu64(u64 *ctx)
{
	u64 a = ctx[0], b = ctx[1], c = ctx[2];
	s64 s = (s64)ctx[3];
	a += b; a -= c; a *= b; a /= (c | 1); a %= (b | 1);
	a |= c; a &= b; a ^= c; a <<= (b & 63); a >>= (c & 63);
	s >>= (a & 63);
	a += 7; a -= -4; a *= 3; a /= 5; a %= 11;
	a |= 0x80; a &= 0xfff0; a ^= 0x5a5a; a <<= 3; a >>= 2;
	s >>= 5;
	a = -a;
	return a + (u64)s + 0x100000000ULL;
}

__attribute__((section("socket/alu32"), used))
u32 alu32(u32 *ctx)
{
	u32 a = ctx[0], b = ctx[1], c = ctx[2];
	s32 s = (s32)ctx[3];
	a += b; a -= c; a *= b; a /= (c | 1); a %= (b | 1);
	a |= c; a &= b; a ^= c; a <<= (b & 31); a >>= (c & 31);
	s >>= (a & 31);
	a += 7; a -= -4; a *= 3; a /= 5; a %= 11;
	a |= 0x80; a &= 0xfff0; a ^= 0x5a5a; a <<= 3; a >>= 2;
	s >>= 5;
	a = -a;
	return a + (u32)s - 2147483647 - 1;
}

__attribute__((section("socket/mov"), used))
s64 movs(s64 *ctx)
{
	s32 narrow = (s32)ctx[0];
	signed char tiny = (signed char)ctx[1];
	short half = (short)ctx[2];
	return (s64)narrow + tiny + half - 2147483648LL;
}
