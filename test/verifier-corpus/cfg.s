=== cfg_jump_past_end reject: a forward jump lands past the last instruction
r0 = 0
goto +3
exit

=== cfg_jump_before_start reject: a backward jump lands before the first instruction
r0 = 0
goto -3
exit

=== cfg_cond_jump_past_end reject: a conditional jump lands past the last instruction
r0 = 0
if r0 == 0 goto +5
exit

=== cfg_unreachable_tail reject: an instruction after the exit that no path reaches
r0 = 0
exit
r0 = 1
exit

=== cfg_unreachable_skipped reject: an unconditional jump skips over code nothing else reaches
r0 = 0
goto +1
r0 = 1
exit

=== cfg_jump_into_lddw reject: a jump lands on the second half of an lddw
r0 = 0
if r1 == 0 goto +1
r0 = 0x100000000 ll
exit

=== cfg_fall_off_end reject: the last instruction is not an exit
r0 = 0

=== cfg_cond_last reject: the last instruction is a conditional jump that may fall off the end
r0 = 0
if r0 == 0 goto -2

=== cfg_last_is_goto accept: a program may end with an unconditional jump back to its exit
r0 = 0
goto +1
exit
goto -2

=== cfg_dead_branch accept: code reached only through a branch the verifier knows is never taken is fine
r0 = 0
if r0 != 0 goto +2
r0 = 1
exit
r0 = *(u64 *)(r10 + 8)
exit

=== cfg_r10_write reject: the frame pointer is read only
r10 = 0
r0 = 0
exit

=== cfg_r10_add reject: arithmetic into the frame pointer
r10 += -8
r0 = 0
exit

=== cfg_r10_ldx reject: a load into the frame pointer
r10 = *(u64 *)(r1 + 0)
r0 = 0
exit

=== cfg_uninit_src reject: a register never written is read
r0 = r2
exit

=== cfg_uninit_dst_add reject: arithmetic on a register never written
r3 += 1
r0 = 0
exit

=== cfg_uninit_cond reject: a branch on a register never written
r0 = 0
if r4 > 1 goto +0
exit

=== cfg_uninit_store reject: a register never written stored to the stack
*(u64 *)(r10 - 8) = r5
r0 = 0
exit

=== cfg_uninit_base reject: a load through a register never written
r0 = *(u64 *)(r7 + 0)
exit

=== cfg_uninit_r0_one_path reject: r0 is set on one path only
r2 = *(u32 *)(r1 + 0)
if r2 == 0 goto +1
r0 = 1
exit

=== cfg_r0_both_paths accept: r0 is set on both paths
r2 = *(u32 *)(r1 + 0)
r0 = 0
if r2 == 0 goto +1
r0 = 1
exit

=== cfg_call_clobbers reject: a helper call leaves r1-r5 uninitialised
r6 = r1
call bpf_ktime_get_ns#5
r0 = r1
exit

=== cfg_call_keeps_callee_saved accept: r6-r9 survive a helper call
r6 = 7
call bpf_ktime_get_ns#5
r0 = r6
exit

=== cfg_r10_read accept: the frame pointer may be copied and compared
r0 = r10
r0 -= r10
exit

=== cfg_goto_self reject: a jump to itself never ends
r0 = 0
goto -1

=== cfg_infinite_two_insn reject: a two-instruction cycle with no change of state
r0 = 0
r1 = 0
r1 = 0
goto -2

=== cfg_infinite_cond reject: a loop whose condition never changes
r2 = *(u32 *)(r1 + 0)
r0 = 0
if r2 > 3 goto -1
exit
