# Ethernet / IPv4 / TCP header parse of the frame in the input block (r1 = address, r2 = length).
# Checks every length before reading, the ethertype (0x0800, read with ldxh + be16), the IP
# version and IHL (options allowed), the total length, that the packet is not a fragment,
# protocol 6 (TCP) and the TCP data offset. Returns tcp_flags << 16 | destination port, or 0 for
# "not a TCP/IPv4 frame". Same as parseJs in bench/js-baselines.ts.
	r0 = 0
	if r2 < 34 goto out	# Ethernet (14) + minimal IPv4 (20)
	r3 = *(u16 *)(r1 + 12)	# ethertype, network byte order
	r3 = be16 r3
	if r3 != 0x800 goto out
	r4 = *(u8 *)(r1 + 14)	# version << 4 | IHL
	r5 = r4
	r5 >>= 4
	if r5 != 4 goto out
	r4 &= 15
	if r4 < 5 goto out
	r4 <<= 2	# IP header length in bytes
	r5 = *(u16 *)(r1 + 16)	# total length
	r5 = be16 r5
	if r5 < r4 goto out
	r5 += 14
	if r5 > r2 goto out	# the IP packet must fit in the frame
	r6 = *(u16 *)(r1 + 20)	# flags | fragment offset
	r6 = be16 r6
	r6 &= 0x3fff	# MF flag or a fragment offset: not the first and only fragment
	if r6 != 0 goto out
	r6 = *(u8 *)(r1 + 23)	# protocol
	if r6 != 6 goto out
	r7 = r4
	r7 += 34	# Ethernet + IP header + minimal TCP header (20)
	if r7 > r5 goto out
	r1 += r4	# r1 = start of the TCP header - 14
	r3 = *(u8 *)(r1 + 26)	# TCP data offset << 4
	r3 >>= 4
	r3 <<= 2	# TCP header length in bytes
	if r3 < 20 goto out
	r3 += r7
	r3 += -20
	if r3 > r5 goto out	# the TCP header must fit in the IP packet
	r8 = *(u16 *)(r1 + 16)	# destination port
	r8 = be16 r8
	r9 = *(u8 *)(r1 + 27)	# flags (CWR ECE URG ACK PSH RST SYN FIN)
	r9 <<= 16
	r0 = r8
	r0 |= r9
out:
	exit
