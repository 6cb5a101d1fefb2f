/**
 * Program types: each type's context layout, helpers and return-value meaning (table.ts), and
 * BPF_PROG_TEST_RUN with the kernel's semantics (test-run.ts).
 */
export * from './context.js';
export * from './contexts-build.js';
export { maxContextReach } from './ctx-reach.js';
export * from './devices.js';
export { refuse, type TestRunErrno } from './errors.js';
export { BASE_HELPERS, CONFIG_GATED_HELPERS, HELPER_SETS, SLEEPABLE_ONLY_HELPERS, idOfHelper } from './helper-sets.js';
export { ETH_HLEN, SKB_HEADROOM, SKB_MAX_FRAME, SkbTestBuffer, sizedContext } from './skb.js';
export * from './table.js';
export * from './test-run.js';
export * from './tracepoint-format.js';
export * from './verdicts.js';
export { BPF_F_TEST_XDP_LIVE_FRAMES, XDP_FRAME_SIZE, XDP_MAX_LINEAR, XDP_PACKET_HEADROOM, XdpTestBuffer } from './xdp.js';
