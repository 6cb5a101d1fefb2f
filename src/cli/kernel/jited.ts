/**
 * The JIT's machine code of a program: BPF_OBJ_GET_INFO_BY_FD with jited_prog_insns pointing at a
 * buffer (src/kernel/objects.ts fetches xlated only; this asks for the other array the same way).
 */
import { Attr, BPF_CMD, OBJ_INFO } from '../../kernel/attr.js';
import type { Scratch } from '../../kernel/native.js';
import { bpfCall, newAttr } from '../../kernel/syscall.js';

/** struct bpf_prog_info: jited_prog_len at 16, jited_prog_insns at 24; 232 bytes up to verified_insns. */
const JITED_LEN = 16;
const JITED_PTR = 24;
const INFO_SIZE = 232;

export function jitedBytes(s: Scratch, fd: number, len: number): Uint8Array | undefined {
  const info = new Attr(s.alloc(INFO_SIZE));
  const buf = new Attr(s.alloc(len));
  info.u32(JITED_LEN, len).ptr(JITED_PTR, buf.mem);
  const attr = newAttr(s).u32(OBJ_INFO.bpf_fd, fd).u32(OBJ_INFO.info_len, INFO_SIZE).ptr(OBJ_INFO.info, info.mem);
  bpfCall(BPF_CMD.OBJ_GET_INFO_BY_FD, attr, OBJ_INFO.size, `program fd ${fd}`, {});
  const got = info.getU32(JITED_LEN);
  return got > 0 ? buf.bytes.slice(0, Math.min(got, len)) : undefined;
}
