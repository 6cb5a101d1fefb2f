/* Legacy packet loads (BPF_LD | BPF_ABS / BPF_IND) through LLVM's intrinsics. */
typedef unsigned long long u64;

u64 load_byte(void *skb, u64 off) asm("llvm.bpf.load.byte");
u64 load_half(void *skb, u64 off) asm("llvm.bpf.load.half");
u64 load_word(void *skb, u64 off) asm("llvm.bpf.load.word");

__attribute__((section("socket/ldabs"), used))
int ldabs(void *skb)
{
	u64 proto = load_half(skb, 12);
	u64 ihl = load_byte(skb, 14) & 0x0f;
	u64 port = load_half(skb, 14 + ihl * 4);
	u64 word = load_word(skb, 26);
	u64 b = load_byte(skb, ihl);
	return (int)(proto + port + word + b);
}
