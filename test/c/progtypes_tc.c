/*
 * tc programs for the test-run differential tests (test/progtypes-skb.test.ts).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define DUMP_AT 34 /* after an Ethernet and an IPv4 header: the dump leaves both intact */

/*
 * Dump every field of __sk_buff a tc program may read into the frame (little-endian u32s from
 * byte DUMP_AT, see test/progtypes-skb.test.ts for the order), then write the writable fields
 * and return TC_ACT_SHOT for IPv4 frames, TC_ACT_OK for the others.
 */
SEC("tc")
int tc_dump(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	unsigned char *meta = (void *)(long)skb->data_meta;
	__u32 *out = (__u32 *)(data + DUMP_AT);
	if ((unsigned char *)(out + 34) > end)
		return TC_ACT_UNSPEC;
	out[0] = skb->len;
	out[1] = skb->pkt_type;
	out[2] = skb->mark;
	out[3] = skb->queue_mapping;
	out[4] = skb->protocol;
	out[5] = skb->vlan_present;
	out[6] = skb->vlan_tci;
	out[7] = skb->vlan_proto;
	out[8] = skb->priority;
	out[9] = skb->ingress_ifindex;
	out[10] = skb->ifindex;
	out[11] = skb->tc_index;
	out[12] = skb->cb[0];
	out[13] = skb->cb[1];
	out[14] = skb->cb[2];
	out[15] = skb->cb[3];
	out[16] = skb->cb[4];
	out[17] = skb->hash;
	out[18] = skb->tc_classid;
	out[19] = end - data;
	out[20] = skb->napi_id;
	out[21] = data - meta;
	__u64 ts = skb->tstamp;
	out[22] = ts;
	out[23] = ts >> 32;
	out[24] = skb->wire_len;
	out[25] = skb->gso_segs;
	out[26] = skb->gso_size;
	__u64 hw = skb->hwtstamp;
	out[27] = hw;
	out[28] = hw >> 32;
	out[29] = skb->sk != 0;
	out[30] = skb->tstamp_type;
	out[31] = 0x11223344;

	skb->mark = skb->len + 1000;
	skb->priority = skb->priority + 7;
	skb->cb[0] = skb->cb[0] + 1;
	skb->cb[4] = 0xabcdef;
	skb->tc_index = 3;
	skb->tc_classid = 5;
	return skb->protocol == __builtin_bswap16(0x0800) ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Classify by skb->len and protocol through direct packet access: rewrite the Ethernet source
 * address, and return TC_ACT_REDIRECT for IPv6, TC_ACT_PIPE for frames over 100 bytes and
 * TC_ACT_OK for the rest. */
SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	if (data + 14 > end)
		return TC_ACT_SHOT;
	data[6] = 0x02;
	data[11] = skb->len & 0xff;
	skb->mark = skb->protocol;
	if (skb->protocol == __builtin_bswap16(0x86dd))
		return TC_ACT_REDIRECT;
	if (skb->len > 100)
		return TC_ACT_PIPE;
	return TC_ACT_OK;
}

/* Resize the packet as bytes 14-19 say: byte 14 is the operation (1: bpf_skb_change_tail to the
 * u32 at 16, 2: bpf_skb_change_head by the u32 at 16), byte 15 the flags. Returns the helper's
 * result; data_out shows the packet after it. */
SEC("tc")
int tc_resize(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	if (data + 20 > end)
		return -1000;
	unsigned int op = data[14], flags = data[15];
	unsigned int arg = data[16] | data[17] << 8 | data[18] << 16 | (unsigned int)data[19] << 24;
	if (op == 1)
		return bpf_skb_change_tail(skb, arg, flags);
	if (op == 2)
		return bpf_skb_change_head(skb, arg, flags);
	return -2000;
}

char _license[] SEC("license") = "GPL";
