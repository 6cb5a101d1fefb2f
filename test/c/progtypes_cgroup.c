/*
 * cgroup_skb programs for the test-run differential tests (test/progtypes-skb.test.ts).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Allow IPv4 packets of at most 100 bytes and every IPv6 packet; drop the rest. */
SEC("cgroup_skb/ingress")
int cg_allow(struct __sk_buff *skb)
{
	if (skb->protocol == __builtin_bswap16(0x86dd))
		return 1;
	return skb->protocol == __builtin_bswap16(0x0800) && skb->len <= 100;
}

/*
 * cgroup_skb programs may only return 0..3, so this one reports what it reads through the
 * fields it may write, which BPF_PROG_TEST_RUN copies back to ctx_out: cb[0] of ctx_in selects
 * a group of seven values for cb[0..4], mark and priority.
 */
SEC("cgroup_skb/egress")
int cg_fields(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	__u32 v[7];
	switch (skb->cb[0]) {
	case 0:
		v[0] = skb->len; v[1] = skb->pkt_type; v[2] = skb->protocol; v[3] = skb->ifindex;
		v[4] = skb->family; v[5] = skb->local_ip4; v[6] = skb->remote_ip4;
		break;
	case 1:
		v[0] = skb->local_ip6[3]; v[1] = skb->remote_ip6[0]; v[2] = skb->local_port;
		v[3] = skb->remote_port; v[4] = end - data; v[5] = data != 0; v[6] = end != 0;
		break;
	case 2:
		v[0] = skb->sk != 0; v[1] = skb->napi_id; v[2] = skb->tstamp; v[3] = skb->mark;
		v[4] = skb->priority; v[5] = data + 1 <= end ? data[0] : 0xffff; v[6] = skb->ingress_ifindex;
		break;
	default:
		return 0;
	}
	skb->cb[0] = v[0]; skb->cb[1] = v[1]; skb->cb[2] = v[2]; skb->cb[3] = v[3]; skb->cb[4] = v[4];
	skb->mark = v[5];
	skb->priority = v[6];
	return 3;
}

char _license[] SEC("license") = "GPL";
