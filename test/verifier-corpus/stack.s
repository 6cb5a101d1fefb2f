=== spill_scalar_keeps_bounds accept: a bounded scalar spilled and filled keeps its bounds for a map access
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u64 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill_unbounded_fill reject: an unbounded scalar spilled and filled is still unbounded
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u64 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill32_keeps_bounds accept: a 32-bit spill of a bounded scalar and a 32-bit fill keep the bounds
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u32 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u32 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill64_fill32 accept: a 64-bit spill of a small scalar read back as its low 32 bits keeps the bounds
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u64 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u32 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill64_fill32_high reject: the upper half of a 64-bit spill read as 32 bits is not the value
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
r7 = 0
*(u64 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r6 = *(u32 *)(r10 - 12)
r6 += 200
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill_const_imm_store accept: an immediate stored to the stack reads back as that constant
; map arr array key=4 value=256 entries=1
*(u64 *)(r10 - 16) = 200
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill_const_too_big reject: an immediate 300 stored and read back is out of range for the value
; map arr array key=4 value=256 entries=1
*(u64 *)(r10 - 16) = 300
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill_partial_overwrite reject: one byte written over a spilled bounded scalar makes the slot plain data
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u64 *)(r10 - 16) = r6
*(u8 *)(r10 - 13) = 1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill_ptr_fill accept: a map value pointer spilled and filled is still a map value pointer
; map arr array key=4 value=8 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
*(u64 *)(r10 - 16) = r0
r0 = 0
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
exit

=== spill_ptr_null_checked_after accept: a nullable pointer spilled, filled, and then checked
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
*(u64 *)(r10 - 16) = r0
r1 = *(u64 *)(r10 - 16)
r0 = 0
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
exit

=== spill_ptr_fill_unchecked reject: a nullable pointer spilled and filled is still nullable
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
*(u64 *)(r10 - 16) = r0
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
exit

=== spill_ptr_partial_overwrite reject: a byte written over a spilled pointer turns the slot into data
; map arr array key=4 value=8 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
*(u64 *)(r10 - 16) = r0
*(u8 *)(r10 - 16) = 0
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
exit

=== spill_ptr_fill32 reject: a spilled pointer filled with a 4-byte load
; map arr array key=4 value=8 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
*(u64 *)(r10 - 16) = r0
r1 = *(u32 *)(r10 - 16)
r0 = 0
exit

=== spill_ptr_store32 reject: a pointer stored with a 4-byte store
*(u32 *)(r10 - 8) = r1
r0 = 0
exit

=== spill_ctx_roundtrip accept: the context pointer spilled and filled can still read the context
r0 = 0
*(u64 *)(r10 - 8) = r1
r1 = 0
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit

=== spill_fp_roundtrip accept: a stack pointer spilled and filled can still write the stack
r1 = r10
r1 += -16
*(u64 *)(r10 - 8) = r1
r2 = *(u64 *)(r10 - 8)
*(u64 *)(r2 + 0) = 5
r0 = *(u64 *)(r10 - 16)
exit

=== uninit_read_root accept: a privileged program may read stack bytes it never wrote
r0 = *(u64 *)(r10 - 8)
exit

=== uninit_read_partial accept: a read that covers written and unwritten bytes
*(u32 *)(r10 - 8) = 1
r0 = *(u64 *)(r10 - 8)
exit

=== uninit_read_deep accept: the deepest slot of the stack read without being written
r0 = *(u64 *)(r10 - 512)
exit

=== oob_write_below reject: a write 8 bytes below the 512-byte stack
*(u64 *)(r10 - 520) = 0
r0 = 0
exit

=== oob_read_below reject: a read below the stack
r0 = *(u32 *)(r10 - 516)
exit

=== oob_read_fp reject: a read at the frame pointer itself (above the stack)
r0 = *(u64 *)(r10 + 0)
exit

=== oob_write_above reject: a write above the frame pointer
*(u64 *)(r10 + 8) = 0
r0 = 0
exit

=== oob_via_copy reject: a copy of the frame pointer moved below the stack
r1 = r10
r1 += -512
*(u64 *)(r1 - 8) = 0
r0 = 0
exit

=== misaligned_u64 reject: an 8-byte stack access at an offset that is not a multiple of 8
*(u64 *)(r10 - 12) = 0
r0 = 0
exit

=== misaligned_u32 reject: a 4-byte stack read at an odd offset
r0 = *(u32 *)(r10 - 7)
exit

=== misaligned_u16 accept: a 2-byte access at an offset multiple of 2 is aligned
*(u16 *)(r10 - 6) = 1
r0 = *(u16 *)(r10 - 6)
exit

=== misaligned_via_ptr reject: a pointer moved by 4 then used for an 8-byte access
r1 = r10
r1 += -4
*(u64 *)(r1 - 8) = 0
r0 = 0
exit

=== varoff_write_ok accept: a variable-offset byte write within the stack
r6 = *(u32 *)(r1 + 0)
r6 &= 7
r1 = r10
r1 += -16
r1 += r6
*(u8 *)(r1 + 0) = 1
r0 = 0
exit

=== varoff_read_ok accept: a variable-offset byte read within the stack
r6 = *(u32 *)(r1 + 0)
r6 &= 7
*(u64 *)(r10 - 16) = 0
r1 = r10
r1 += -16
r1 += r6
r0 = *(u8 *)(r1 + 0)
exit

=== varoff_past_fp reject: a variable offset that may reach above the frame pointer
r6 = *(u32 *)(r1 + 0)
r6 &= 8
r1 = r10
r1 += -8
r1 += r6
*(u8 *)(r1 + 0) = 1
r0 = 0
exit

=== varoff_below reject: a variable offset that may go below the stack
r6 = *(u32 *)(r1 + 0)
r6 &= 15
r1 = r10
r1 += -520
r1 += r6
*(u8 *)(r1 + 0) = 1
r0 = 0
exit

=== varoff_misaligned reject: a variable offset in steps of 1 used for an 8-byte access
r6 = *(u32 *)(r1 + 0)
r6 &= 7
r1 = r10
r1 += -64
r1 += r6
*(u64 *)(r1 + 0) = 1
r0 = 0
exit

=== varoff_aligned_u64 accept: a variable offset in steps of 8 used for 8-byte accesses
r6 = *(u32 *)(r1 + 0)
r6 &= 0x38
r1 = r10
r1 += -64
r1 += r6
*(u64 *)(r1 + 0) = 1
r0 = *(u64 *)(r1 + 0)
exit

=== varoff_unbounded reject: a stack pointer plus an unbounded u32
r6 = *(u32 *)(r1 + 0)
r1 = r10
r1 += r6
*(u8 *)(r1 - 8) = 1
r0 = 0
exit

=== varoff_negative_index accept: a stack pointer plus a signed index in [-8, -1]
r6 = *(u32 *)(r1 + 0)
r6 &= 7
r6 -= 8
r1 = r10
r1 += r6
*(u8 *)(r1 + 0) = 1
r0 = 0
exit

=== fp_sub_imm reject: subtraction from the stack pointer (the kernel wants r += -8)
r1 = r10
r1 -= 8
*(u64 *)(r1 + 0) = 0
r0 = 0
exit

=== fp_sub_reg reject: subtracting a register from the stack pointer
r2 = 8
r1 = r10
r1 -= r2
*(u64 *)(r1 + 0) = 0
r0 = 0
exit

=== fp_add_reg_const accept: adding a register holding a constant to the stack pointer
r2 = -8
r1 = r10
r1 += r2
*(u64 *)(r1 + 0) = 0
r0 = 0
exit

=== spill_zero_fill32 accept: a zero spilled as 64 bits read back as bytes
; map arr array key=4 value=4 entries=1
*(u64 *)(r10 - 16) = 0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u8 *)(r10 - 13)
r0 += r6
r1 = *(u32 *)(r0 + 0)
r0 = 0
exit

=== stack_full_512 accept: a write at every depth down to 512 bytes
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 256) = 0
*(u64 *)(r10 - 512) = 0
r0 = 0
exit

=== stack_atomic_add accept: an atomic add on a stack slot
*(u64 *)(r10 - 8) = 0
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r0 = *(u64 *)(r10 - 8)
exit

=== stack_atomic_ptr accept: a privileged program may add a pointer into a stack slot atomically (pointer leaks are allowed)
*(u64 *)(r10 - 8) = 0
lock *(u64 *)(r10 - 8) += r1
r0 = 0
exit

=== atomic_ctx reject: an atomic add into the context
r2 = 1
lock *(u32 *)(r1 + 0) += r2
r0 = 0
exit

=== atomic_fetch_add accept: an atomic fetch-add returns the old value in the source register
*(u64 *)(r10 - 8) = 0
r1 = 1
r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)
r0 = r1
exit

=== atomic_uninit_src reject: an atomic add of a register never written
*(u64 *)(r10 - 8) = 0
lock *(u64 *)(r10 - 8) += r3
r0 = 0
exit

=== calls_stack_512 accept: 256 bytes in the caller and 256 in the callee: exactly the 512-byte combined limit
*(u64 *)(r10 - 256) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 256) = 0
r0 = 0
exit

=== calls_stack_too_deep reject: 256 bytes in the caller and 264 (rounded up) in the callee exceed 512 combined
*(u64 *)(r10 - 256) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 264) = 0
r0 = 0
exit

=== calls_stack_three reject: three nested functions of 192 bytes each exceed 512 combined
*(u64 *)(r10 - 192) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 192) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 192) = 0
r0 = 0
exit

=== calls_stack_siblings accept: two callees of 256 bytes called one after the other never stack up
*(u64 *)(r10 - 256) = 0
call pc+3
call pc+5
r0 = 0
exit
*(u64 *)(r10 - 256) = 0
r0 = 0
exit
*(u64 *)(r10 - 256) = 0
r0 = 0
exit

=== calls_callee_reads_caller_stack accept: a callee reads the caller's stack through a pointer argument
*(u64 *)(r10 - 8) = 5
r1 = r10
r1 += -8
call pc+1
exit
r0 = 0
r0 = *(u64 *)(r1 + 0)
exit

=== calls_callee_caller_stack_oob reject: a callee reads past the caller's frame pointer through the argument
*(u64 *)(r10 - 8) = 5
r1 = r10
r1 += -8
call pc+1
exit
r0 = 0
r0 = *(u64 *)(r1 + 8)
exit

=== spill32_upper_half reject: a 32-bit spill into the upper half of a slot is not tracked: the fill is unknown
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u32 *)(r10 - 12) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u32 *)(r10 - 12)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill16_keeps_bounds accept: a 16-bit spill of a byte-sized scalar keeps the bounds
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u16 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u16 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill8_fill8 accept: a one-byte spill and fill
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u8 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u8 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill32_fill64 reject: a 32-bit spill read back with an 8-byte load: the other half is unknown
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u32 *)(r10 - 16) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== spill32_two_halves reject: two 32-bit spills read back as one 8-byte value
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r6 &= 255
*(u32 *)(r10 - 16) = r6
*(u32 *)(r10 - 12) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 = *(u64 *)(r10 - 16)
r0 += r6
r1 = *(u8 *)(r0 + 0)
r0 = 0
exit

=== atomic32_stack accept: a 32-bit atomic add on the stack
*(u32 *)(r10 - 4) = 0
w1 = 1
lock *(u32 *)(r10 - 4) += w1
r0 = 0
exit

=== cmpxchg_r0_uninit reject: compare-and-exchange needs r0
*(u64 *)(r10 - 8) = 0
r1 = 1
r0 = cmpxchg_64(r10 - 8, r0, r1)
r0 = 0
exit
