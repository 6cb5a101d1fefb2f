=== hash_update_stack accept: map_update_elem with key and value on the stack
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 1
*(u64 *)(r10 - 16) = 7
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== hash_delete accept: map_delete_elem with a key on the stack
; map h hash key=8 value=8 entries=16
*(u64 *)(r10 - 8) = 1
r1 = map[idx:0] ll
r2 = r10
r2 += -8
call bpf_map_delete_elem#3
r0 = 0
exit

=== key_uninit_stack accept: a privileged loader may pass an uninitialised stack key (allow_uninit_stack)
; map h hash key=8 value=8 entries=16
r1 = map[idx:0] ll
r2 = r10
r2 += -8
call bpf_map_lookup_elem#1
r0 = 0
exit

=== key_from_map_value accept: a key may live in another map's value
; map a array key=4 value=8 entries=1
; map h hash key=8 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r2 = r0
r1 = map[idx:1] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== key_larger_than_map_value reject: a 16-byte key read from an 8-byte map value
; map a array key=4 value=8 entries=1
; map h hash key=16 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r2 = r0
r1 = map[idx:1] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== key_past_frame reject: an 8-byte key starting 4 bytes below the frame pointer
; map h hash key=8 value=8 entries=16
r1 = map[idx:0] ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== key_is_ctx reject: the context is not a key
; map h hash key=4 value=8 entries=16
r2 = r1
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== key_is_null reject: NULL where the key goes
; map h hash key=4 value=8 entries=16
r1 = map[idx:0] ll
r2 = 0
call bpf_map_lookup_elem#1
r0 = 0
exit

=== key_is_map_ptr reject: a map pointer where the key goes
; map h hash key=4 value=8 entries=16
r1 = map[idx:0] ll
r2 = r1
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_arg_scalar reject: a number where the map goes
*(u32 *)(r10 - 4) = 0
r1 = 0
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_arg_stack reject: a stack pointer where the map goes
*(u32 *)(r10 - 4) = 0
r1 = r10
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_arg_value reject: a direct map value address is not the map
; map a array key=4 value=8 entries=1
*(u32 *)(r10 - 4) = 0
r1 = map[idx:0]+0 ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_arg_offset reject: arithmetic on a map pointer
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r1 = map[idx:0] ll
r1 += 8
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== value_is_null reject: update with a NULL value pointer
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 1
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = 0
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== value_too_small reject: a 16-byte value read from 8 bytes of stack at the frame's top
; map h hash key=4 value=16 entries=16
*(u32 *)(r10 - 4) = 1
*(u64 *)(r10 - 16) = 7
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== value_flags_uninit reject: update's flags argument must be initialised
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 1
*(u64 *)(r10 - 16) = 7
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
call bpf_map_update_elem#2
r0 = 0
exit

=== null_check_copy accept: a copy made before the NULL check is non-NULL after it (same id)
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r6 = r0
if r0 == 0 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit

=== null_check_copy_spilled accept: a copy spilled to the stack before the check comes back non-NULL
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
*(u64 *)(r10 - 16) = r0
if r0 == 0 goto +2
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit

=== null_check_ne accept: `if r0 != 0` refines the taken branch
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 != 0 goto +2
r0 = 0
exit
r0 = *(u32 *)(r0 + 4)
exit

=== null_check_wrong_side reject: the value is used on the NULL side of the check
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 != 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit

=== null_arith_before_check reject: arithmetic on map_value_or_null
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 += 4
if r0 == 0 goto +1
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit

=== second_lookup_new_id reject: checking one lookup's result says nothing about another's
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r6 = r0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r6 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit

=== value_past_end reject: reading at value_size after the NULL check
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 8)
r0 = 0
exit

=== value_to_helper_null reject: map_value_or_null passed as a key
; map h hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r2 = r0
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== tail_call_array reject: bpf_tail_call needs a prog_array
; map a array key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== lookup_prog_array reject: a prog_array cannot be looked up from a program
; map jt prog_array key=4 value=4 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== redirect_map_devmap accept: redirect_map into a devmap
; section: xdp
; map dm devmap key=4 value=4 entries=4
r1 = map[idx:0] ll
r2 = 0
r3 = 0
call bpf_redirect_map#51
exit

=== redirect_map_xskmap accept: redirect_map into an xskmap
; section: xdp
; map xm xskmap key=4 value=4 entries=4
r1 = map[idx:0] ll
r2 = 0
r3 = 0
call bpf_redirect_map#51
exit

=== redirect_map_cpumap accept: redirect_map into a cpumap
; section: xdp
; map cm cpumap key=4 value=4 entries=4
r1 = map[idx:0] ll
r2 = 0
r3 = 0
call bpf_redirect_map#51
exit

=== redirect_map_hash reject: redirect_map into a hash map
; section: xdp
; map h hash key=4 value=4 entries=4
r1 = map[idx:0] ll
r2 = 0
r3 = 0
call bpf_redirect_map#51
exit

=== lookup_devmap accept: a devmap may be looked up
; section: xdp
; map dm devmap key=4 value=4 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 2
exit

=== update_devmap reject: a devmap cannot be updated from a program
; section: xdp
; map dm devmap key=4 value=4 entries=4
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r4 = 0
call bpf_map_update_elem#2
r0 = 2
exit

=== ringbuf_output_hash reject: ringbuf_output into a hash map
; map h hash key=4 value=8 entries=4
*(u64 *)(r10 - 8) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call bpf_ringbuf_output#130
r0 = 0
exit

=== ringbuf_output_ok accept: ringbuf_output into a ringbuf
; map rb ringbuf entries=4096
*(u64 *)(r10 - 8) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call bpf_ringbuf_output#130
r0 = 0
exit

=== ringbuf_query_array reject: ringbuf_query on an array
; map a array key=4 value=8 entries=4
r1 = map[idx:0] ll
r2 = 0
call bpf_ringbuf_query#134
r0 = 0
exit

=== lookup_ringbuf reject: a ringbuf has no elements to look up
; map rb ringbuf entries=4096
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== perf_output_ok accept: perf_event_output into a perf_event_array
; section: kprobe/do_nanosleep
; map ev perf_event_array key=4 value=4 entries=0
*(u64 *)(r10 - 8) = 0
r2 = map[idx:0] ll
r3 = 0xffffffff ll
r4 = r10
r4 += -8
r5 = 8
call bpf_perf_event_output#25
r0 = 0
exit

=== perf_output_array reject: perf_event_output into an array
; section: kprobe/do_nanosleep
; map a array key=4 value=4 entries=4
*(u64 *)(r10 - 8) = 0
r2 = map[idx:0] ll
r3 = 0
r4 = r10
r4 += -8
r5 = 8
call bpf_perf_event_output#25
r0 = 0
exit

=== lookup_perf_event_array reject: a perf_event_array cannot be looked up
; section: kprobe/do_nanosleep
; map ev perf_event_array key=4 value=4 entries=0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== queue_push_pop_peek accept: push, pop and peek on a queue
; map q queue value=8 entries=16
*(u64 *)(r10 - 8) = 1
r1 = map[idx:0] ll
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem#87
r1 = map[idx:0] ll
r2 = r10
r2 += -16
call bpf_map_pop_elem#88
r1 = map[idx:0] ll
r2 = r10
r2 += -24
call bpf_map_peek_elem#89
r0 = 0
exit

=== stack_map_pop accept: pop from a stack map into uninitialised stack
; map s stack value=8 entries=16
r1 = map[idx:0] ll
r2 = r10
r2 += -8
call bpf_map_pop_elem#88
r0 = *(u64 *)(r10 - 8)
r0 = 0
exit

=== push_hash reject: push needs a queue or stack map
; map h hash key=4 value=8 entries=16
*(u64 *)(r10 - 8) = 1
r1 = map[idx:0] ll
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem#87
r0 = 0
exit

=== pop_array reject: pop needs a queue or stack map
; map a array key=4 value=8 entries=16
r1 = map[idx:0] ll
r2 = r10
r2 += -8
call bpf_map_pop_elem#88
r0 = 0
exit

=== lookup_queue reject: a queue has no keys to look up
; map q queue value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== update_stack_map reject: a stack map has no update
; map s stack value=8 entries=16
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== pop_value_too_small reject: pop into a 4-byte slot at the top of the frame for an 8-byte value
; map q queue value=8 entries=16
r1 = map[idx:0] ll
r2 = r10
r2 += -4
call bpf_map_pop_elem#88
r0 = 0
exit

=== bloom_push_peek accept: a bloom filter takes push and peek
; map bf bloom_filter value=8 entries=16
*(u64 *)(r10 - 8) = 1
r1 = map[idx:0] ll
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem#87
r1 = map[idx:0] ll
r2 = r10
r2 += -8
call bpf_map_peek_elem#89
r0 = 0
exit

=== bloom_lookup reject: a bloom filter has no lookup
; map bf bloom_filter value=8 entries=16
*(u64 *)(r10 - 8) = 1
r1 = map[idx:0] ll
r2 = r10
r2 += -8
call bpf_map_lookup_elem#1
r0 = 0
exit

=== stackid_ok accept: get_stackid with a stack_trace map
; section: kprobe/do_nanosleep
; map st stack_trace key=4 value=64 entries=16
r2 = map[idx:0] ll
r3 = 0
call bpf_get_stackid#27
r0 = 0
exit

=== stackid_hash reject: get_stackid needs a stack_trace map
; section: kprobe/do_nanosleep
; map h hash key=4 value=64 entries=16
r2 = map[idx:0] ll
r3 = 0
call bpf_get_stackid#27
r0 = 0
exit

=== lookup_stack_trace reject: a stack_trace map cannot be looked up from a program
; section: kprobe/do_nanosleep
; map st stack_trace key=4 value=64 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== percpu_lookup_elem_ok accept: map_lookup_percpu_elem on a percpu array
; map pa percpu_array key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = 0
call bpf_map_lookup_percpu_elem#195
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit

=== percpu_lookup_elem_hash reject: map_lookup_percpu_elem needs a per-CPU map
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = 0
call bpf_map_lookup_percpu_elem#195
r0 = 0
exit

=== lru_lookup accept: lookup in an LRU hash
; map l lru_hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== lpm_lookup accept: lookup in an LPM trie with an 8-byte key
; map t lpm_trie key=8 value=8 entries=16 flags=1
*(u64 *)(r10 - 8) = 32
r2 = r10
r2 += -8
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_in_map_lookup accept: an inner map found in an array of maps, checked, then looked up
; map outer array_of_maps key=4 value=4 entries=2 inner=hash,4,8,16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_in_map_unchecked reject: the inner map is used before the NULL check
; map outer array_of_maps key=4 value=4 entries=2 inner=hash,4,8,16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== map_in_map_update reject: a map of maps cannot be updated from a program
; map outer hash_of_maps key=4 value=4 entries=2 inner=array,4,8,1
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== map_in_map_inner_key_size reject: the inner map's 8-byte key from 4 bytes at the frame top
; map outer array_of_maps key=4 value=4 entries=2 inner=hash,8,8,16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== array_direct_value accept: a direct map value address reads the value without a lookup
; map a array key=4 value=16 entries=1
r1 = map[idx:0]+8 ll
r0 = *(u64 *)(r1 + 0)
exit

=== array_direct_value_past reject: a direct value address read past value_size
; map a array key=4 value=16 entries=1
r1 = map[idx:0]+8 ll
r0 = *(u64 *)(r1 + 8)
exit

=== percpu_hash_update accept: update on a percpu hash
; map ph percpu_hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 1
*(u64 *)(r10 - 16) = 7
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== value_var_offset_checked accept: a map value indexed by a bounded variable
; map a array key=4 value=64 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
call bpf_get_prandom_u32#7
r0 &= 56
r6 += r0
r0 = *(u64 *)(r6 + 0)
exit
r0 = 0
exit

=== value_var_offset_overrun reject: a variable index that may reach past the value
; map a array key=4 value=64 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
call bpf_get_prandom_u32#7
r0 &= 63
r6 += r0
r0 = *(u64 *)(r6 + 0)
exit
r0 = 0
exit

=== for_each_ringbuf_asm reject: a callback pointer in assembly has no BTF func info
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = subprog[+4] ll
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = 0
exit

=== array_const_key_no_null_check accept: an array lookup with a constant key below max_entries cannot fail, so needs no NULL check
; map a array key=4 value=8 entries=4
r1 = 3
*(u32 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit

=== array_const_key_out_of_range reject: a constant key past max_entries may fail, the NULL check is needed
; map a array key=4 value=8 entries=4
r1 = 4
*(u32 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit

=== array_const_key_unaligned_imm reject: a constant stored by an immediate at an unaligned slot is not tracked as the key's value
; map a array key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 3
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit

=== array_zero_key_stack_zero accept: a key of stored zero bytes is the constant 0
; map a array key=4 value=8 entries=4
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit

=== array_unknown_key_needs_check reject: a key the verifier cannot know needs the NULL check even for an array
; map a array key=4 value=8 entries=4
call bpf_get_prandom_u32#7
*(u32 *)(r10 - 4) = r0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit

=== hash_const_key_needs_check reject: a hash lookup may fail whatever the key
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit

=== readonly_map_update reject: a map created with BPF_F_RDONLY_PROG cannot be updated by the program
; map ro array key=4 value=8 entries=4 flags=0x80
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 0
r1 = map[idx:0] ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== readonly_map_helper_write reject: a helper may not write into a read-only map's value
; section: kprobe/do_nanosleep
; map ro array key=4 value=8 entries=4 flags=0x80
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== readonly_map_lookup accept: a read-only map can be looked up and read
; map ro array key=4 value=8 entries=4 flags=0x80
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit

=== xskmap_lookup accept: an xskmap may be looked up from XDP
; section: xdp
; map xm xskmap key=4 value=4 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 2
exit

=== cpumap_lookup reject: a cpumap cannot be looked up from a program
; section: xdp
; map cm cpumap key=4 value=4 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = 2
exit

=== devmap_hash_redirect accept: redirect_map into a devmap_hash
; section: xdp
; map dh devmap_hash key=4 value=4 entries=4
r1 = map[idx:0] ll
r2 = 0
r3 = 0
call bpf_redirect_map#51
exit

=== null_check_32bit reject: a 32-bit comparison with zero does not NULL-check a pointer
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if w0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
