/* Conditional jumps: every comparison, signed and unsigned, 64-bit and 32-bit, register and immediate. */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;

__attribute__((section("socket/jmp64"), used))
int jmp64(u64 *ctx)
{
	u64 a = ctx[0], b = ctx[1];
	s64 x = (s64)ctx[2], y = (s64)ctx[3];
	int r = 0;
	if (a == b) r += 1;
	if (a != 17) r += 2;
	if (a > b) r += 3;
	if (a >= 100) r += 4;
	if (a < b) r ^= 5;
	if (a <= 1000) r += 6;
	if (x > y) r += 7;
	if (x >= -5) r ^= 8;
	if (x < y) r += 9;
	if (x <= -100) r += 10;
	if (a & 0x40) r |= 11;
	if (a & b) r += 12;
	if (x == -1) r -= 13;
	return r;
}

__attribute__((section("socket/jmp32"), used))
int jmp32(u32 *ctx)
{
	u32 a = ctx[0], b = ctx[1];
	s32 x = (s32)ctx[2], y = (s32)ctx[3];
	int r = 0;
	if (a == b) r += 1;
	if (a != 17) r += 2;
	if (a > b) r += 3;
	if (a >= 100) r += 4;
	if (a < b) r ^= 5;
	if (a <= 1000) r += 6;
	if (x > y) r += 7;
	if (x >= -5) r ^= 8;
	if (x < y) r += 9;
	if (x <= -100) r += 10;
	if (x == -2147483647 - 1) r -= 13;
	return r;
}

__attribute__((section("socket/loop"), used))
int loop(u32 *ctx)
{
	int sum = 0;
	for (u32 i = 0; i < ctx[0] && i < 64; i++)
		sum += ctx[i + 1];
	return sum;
}
