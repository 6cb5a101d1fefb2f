# FNV-1a, 64-bit, over the input block: r1 = its address, r2 = its length (1,500 bytes in the
# benchmark). One byte load, xor, multiply per byte; returns the hash. Same as fnv1aJs.
	r0 = 0xcbf29ce484222325 ll	# offset basis
	r4 = 0x100000001b3 ll	# FNV prime
	r2 += r1	# r2 = end of the block
	if r1 >= r2 goto done
loop:
	r3 = *(u8 *)(r1 + 0)
	r0 ^= r3
	r0 *= r4
	r1 += 1
	if r1 < r2 goto loop
done:
	exit
