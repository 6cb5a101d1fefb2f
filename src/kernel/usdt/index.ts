/** USDT (SystemTap SDT) probes in user binaries: reading their notes and attaching to them. */
export { readUsdtProbes, findUsdtProbe, type UsdtProbe } from './notes.js';
export { parseUsdtArgs, encodeUsdtSpec, USDT_SPEC_SIZE, USDT_MAX_ARGS, type UsdtArg } from './args.js';
export { attachUsdt, type UsdtOptions, type UsdtAttachment } from './attach.js';
