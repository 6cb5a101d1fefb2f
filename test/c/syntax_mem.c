/* Loads and stores of every width, on the stack (negative offsets) and through pointers. */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef signed char s8;
typedef short s16;
typedef int s32;

struct rec {
	u8 b;
	u16 h;
	u32 w;
	u64 d;
	s8 sb;
	s16 sh;
	s32 sw;
};

__attribute__((section("socket/mem"), used))
u64 mem(struct rec *in, struct rec *out)
{
	volatile struct rec local;
	local.b = in->b;
	local.h = in->h;
	local.w = in->w;
	local.d = in->d;
	out->b = local.b + 1;
	out->h = local.h + 2;
	out->w = local.w + 3;
	out->d = local.d + 4;
	out->sw = in->sb + in->sh + in->sw;
	out->d += in[2].d;
	return (u64)in->sb + in->sh + in->sw;
}

__attribute__((section("socket/stack"), used))
u64 stack(u64 *p)
{
	volatile u64 buf[4];
	volatile u32 w[2];
	volatile u16 h[2];
	volatile u8 b[2];
	buf[0] = 0;
	buf[1] = p[0];
	buf[3] = 0xffffffffffffffffULL;
	w[0] = 5;
	w[1] = (u32)p[1];
	h[0] = 7;
	h[1] = (u16)p[2];
	b[0] = 9;
	b[1] = (u8)p[3];
	return buf[0] + buf[1] + buf[3] + w[0] + w[1] + h[0] + h[1] + b[0] + b[1];
}
