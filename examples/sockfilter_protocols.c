// The book's socket filter: count packets per IP protocol into an array map indexed by the
// protocol number, reading the protocol byte with the legacy packet load (LD_ABS) that
// load_byte() compiles to. It returns 0: the socket gets no data, only the counts change.
//
// The book reads ETH_HLEN + offsetof(struct iphdr, protocol), right on an AF_PACKET socket, whose
// buffers start at the Ethernet header. In BPF_PROG_TEST_RUN (and on AF_INET sockets) they start
// at the IP header, so this version asks for the byte relative to the network header
// (SKF_NET_OFF), which is right in both places.
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} protocols SEC(".maps");

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0; // ARP, IPv6...: no IPv4 protocol byte to read
	__u32 proto = load_byte(skb, SKF_NET_OFF + offsetof(struct iphdr, protocol));
	__u64 *n = bpf_map_lookup_elem(&protocols, &proto);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
