=== loop_small accept: a counting loop of 10 iterations, explored to its end
r0 = 0
r1 = 0
r0 += r1
r1 += 1
if r1 < 10 goto -3
exit

=== loop_1000 accept: a loop of 1000 iterations writing a stack slot each time
r1 = 0
r2 = 0
*(u64 *)(r10 - 8) = r2
r2 += 3
r1 += 1
if r1 != 1000 goto -4
r0 = *(u64 *)(r10 - 8)
exit

=== loop_down_signed accept: a signed count-down loop
r1 = 100
r0 = 0
r0 += 2
r1 += -1
if r1 s> 0 goto -3
exit

=== loop_32bit accept: a loop on a 32-bit counter
w1 = 0
w0 = 0
w0 += w1
w1 += 1
if w1 < 50 goto -3
exit

=== loop_nested accept: nested loops of 10 by 10
r0 = 0
r1 = 0
r2 = 0
r0 += 1
r2 += 1
if r2 < 10 goto -3
r1 += 1
if r1 < 10 goto -6
exit

=== loop_array_index accept: a loop indexes a map value with its counter
; map arr array key=4 value=64 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +8
r1 = 0
r2 = r0
r2 += r1
r3 = 7
*(u8 *)(r2 + 0) = r3
r1 += 1
if r1 < 64 goto -6
r0 = 0
exit

=== loop_array_overrun reject: the loop's last iteration writes one byte past the value
; map arr array key=4 value=64 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +8
r1 = 0
r2 = r0
r2 += r1
r3 = 7
*(u8 *)(r2 + 0) = r3
r1 += 1
if r1 <= 64 goto -6
r0 = 0
exit

=== loop_too_many_iterations reject: a bounded loop of 600000 iterations exceeds 1,000,000 processed instructions
r0 = 0
r1 = 0
r1 += 1
if r1 < 600000 goto -2
exit

=== loop_many_pending reject: each of 10000 iterations leaves an unexplored branch behind: more than 8192 paths wait
r7 = r1
r1 = 0
r0 = 0
r2 = *(u32 *)(r7 + 0)
if r2 > 5 goto +0
r1 += 1
if r1 < 10000 goto -4
exit

=== loop_100000 accept: a bounded loop of 100000 iterations (200000 instructions) stays under the complexity limit
r0 = 0
r1 = 0
r1 += 1
if r1 < 100000 goto -2
exit

=== loop_ctx_bound accept: a loop bounded by a value from the context, capped first
r2 = *(u32 *)(r1 + 0)
if r2 > 100 goto +5
r0 = 0
r1 = 0
r1 += 1
if r1 < r2 goto -2
exit
r0 = 0
exit

=== loop_no_progress reject: the loop body does not change the counter
r1 = 0
r0 = 0
r0 = 1
if r1 < 10 goto -2
exit

=== loop_toggle reject: a loop whose counter toggles between 0 and 1 comes back to a state it has seen
r1 = 0
r0 = 0
r1 ^= 1
if r1 != 7 goto -2
exit

=== loop_break_early accept: a loop of up to 1000 packet bytes that also leaves when a zero byte is found
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = 0
r5 = r2
r5 += 1
if r5 > r3 goto +7
r6 = *(u8 *)(r2 + 0)
if r6 == 0 goto +5
r2 += 1
r4 += 1
if r4 < 1000 goto -8
r0 = 2
exit
r0 = 1
exit

=== loop_stack_walk accept: a counted loop writes every 8-byte slot of the stack
r1 = r10
r1 += -512
r2 = 0
r3 = 0
*(u64 *)(r1 + 0) = r2
r1 += 8
r3 += 1
if r3 < 64 goto -4
r0 = *(u64 *)(r10 - 512)
exit

=== loop_stack_walk_past reject: a loop bounded by comparing two stack pointers: the comparison does not bound the pointer, so it reaches the frame pointer itself
r1 = r10
r1 += -512
r2 = 0
*(u64 *)(r1 + 0) = r2
r1 += 8
if r1 != r10 goto -3
r0 = 0
exit
