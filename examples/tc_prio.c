// A tc classifier: give web traffic (TCP to port 80 or 443) priority 6 and mark 0x80, SSH (22)
// priority 4 and mark 0x22, and let every packet through (TC_ACT_OK).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int tc_prio(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	__u16 port = bpf_ntohs(tcp->dest);
	if (port == 80 || port == 443) {
		skb->priority = 6;
		skb->mark = 0x80;
	} else if (port == 22) {
		skb->priority = 4;
		skb->mark = 0x22;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
