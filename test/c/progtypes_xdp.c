/*
 * XDP programs for the test-run differential tests (test/progtypes-xdp.test.ts): each runs in the
 * kernel through BPF_PROG_TEST_RUN and in tsbpf with the same input, and the results must match.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* Swap the MAC addresses, decrement an IPv4 TTL (fixing the checksum) and send the frame back;
 * other frames pass, frames too short for an Ethernet header are dropped. */
SEC("xdp")
int xdp_swap(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (data + 14 > end)
		return XDP_DROP;
	for (int i = 0; i < 6; i++) {
		unsigned char t = data[i];
		data[i] = data[6 + i];
		data[6 + i] = t;
	}
	if (data[12] != 0x08 || data[13] != 0x00 || data + 34 > end)
		return XDP_PASS;
	/* TTL is the high byte of the 16-bit word at IP offset 8: checksum update per RFC 1624. */
	unsigned int sum = (data[24] << 8 | data[25]) + 0x0100;
	data[22] -= 1;
	sum = (sum & 0xffff) + (sum >> 16);
	data[24] = sum >> 8;
	data[25] = sum & 0xff;
	return XDP_TX;
}

/* Write what the context says into the frame: data_end - data, data - data_meta, the ingress
 * ifindex and the rx queue, as little-endian u32s from byte 14 on. */
SEC("xdp")
int xdp_ctx(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	unsigned char *meta = (void *)(long)ctx->data_meta;
	if (data + 30 > end)
		return XDP_ABORTED;
	__u32 *out = (__u32 *)(data + 14);
	out[0] = end - data;
	out[1] = data - meta;
	out[2] = ctx->ingress_ifindex;
	out[3] = ctx->rx_queue_index;
	return XDP_PASS;
}

/* Move data_meta, data and data_end by the signed deltas in bytes 14 (meta, times 4), 15 (head, times 4)
 * and 16-17 (tail, little-endian), in that order; then write the three results as bytes at the
 * new data (when the frame still has 3 bytes) and return XDP_PASS. */
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (data + 18 > end)
		return XDP_ABORTED;
	int meta = (signed char)data[14] * 4;
	int head = (signed char)data[15] * 4;
	int tail = (short)(data[16] | data[17] << 8);
	int rm = bpf_xdp_adjust_meta(ctx, meta);
	int rh = bpf_xdp_adjust_head(ctx, head);
	int rt = bpf_xdp_adjust_tail(ctx, tail);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + 3 > end)
		return XDP_DROP;
	data[0] = rm;
	data[1] = rh;
	data[2] = rt;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
