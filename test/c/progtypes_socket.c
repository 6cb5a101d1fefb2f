/*
 * Socket filters for the test-run differential tests (test/progtypes-skb.test.ts): legacy packet
 * loads (LD_ABS/LD_IND through LLVM's intrinsics) from L3, from the link layer (SKF_LL_OFF) and the
 * network header (SKF_NET_OFF), and context reads.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

/* Keep UDP datagrams whole, the first 40 bytes of TCP segments, and drop the rest. */
SEC("socket")
int sock_udp(struct __sk_buff *skb)
{
	if (load_half(skb, SKF_LL_OFF + 12) != 0x0800)
		return 0;
	unsigned long long proto = load_byte(skb, 9);
	if (proto == 17)
		return skb->len;
	if (proto == 6)
		return 40;
	return 0;
}

/*
 * Return the value selected by the IPv4 TOS byte (L3 offset 1): a field of __sk_buff or a legacy
 * packet load; see test/progtypes-skb.test.ts for the selectors. cb[0] is set to 77 on the way.
 */
SEC("socket")
int sock_select(struct __sk_buff *skb)
{
	unsigned long long sel = load_byte(skb, 1);
	skb->cb[0] = 77;
	switch (sel) {
	case 0: return skb->len;
	case 1: return skb->pkt_type;
	case 2: return skb->mark;
	case 3: return skb->queue_mapping;
	case 4: return skb->protocol;
	case 5: return skb->vlan_present;
	case 6: return skb->vlan_tci;
	case 7: return skb->vlan_proto;
	case 8: return skb->priority;
	case 9: return skb->ingress_ifindex;
	case 10: return skb->ifindex;
	case 11: return skb->tc_index;
	case 12: return skb->cb[1];
	case 13: return skb->hash;
	case 14: return skb->napi_id;
	case 15: return skb->gso_segs;
	case 16: return skb->gso_size;
	case 17: return skb->sk != 0;
	case 20: return load_half(skb, SKF_LL_OFF + 12);
	case 21: return load_word(skb, SKF_NET_OFF + 12);
	case 22: return load_word(skb, SKF_LL_OFF + 6);
	case 23: return load_byte(skb, skb->len - 1);
	case 24: return load_byte(skb, skb->len) + 1000; /* out of range: the program ends with 0 */
	case 25: return load_half(skb, SKF_NET_OFF - 2) + 1000; /* before the network header */
	case 26: return load_word(skb, 16);
	}
	return 0xffffffff;
}

char _license[] SEC("license") = "GPL";
