/**
 * Attaching loaded programs to the running kernel. Every attach function returns an Attachment
 * whose close() detaches; errors say what was missing and where to look.
 */
export { type Attachment, LinkAttachment, linkCreate, rawTracepointOpen, type LinkCreateAttrs } from './link.js';
export { PERF_TYPE, PERF_COUNT_SW, PERF_SAMPLE_RAW, PERF_IOC, perfEventOpen, type PerfEventAttr } from './perf-event.js';
export { tracefsRoot, tracepointId } from './tracefs.js';
export { attachTracepoint, attachRawTracepoint } from './tracepoint.js';
export { attachKprobe, attachUprobe, type KprobeOptions, type UprobeOptions, type UprobeTarget } from './probes.js';
export { HostElf, uprobeOffset } from './host-elf.js';
export { attachPerfEvent, type PerfSamplingOptions } from './perf-sampling.js';
export { attachXdp, attachTcx, attachCgroupSkb, ifindexOf, XDP_FLAGS } from './network.js';
export { vmlinuxTargetId, loadBtfTracingProgram, attachBtfTracing } from './btf-tracing.js';
export { attachProgram, attachAll, type AutoAttachOptions, type AttachAllOptions, type ObjectAttachment } from './auto.js';
export {
  attachTcClsact, createClsact, destroyClsact, queryTcFilter, listTcFilters, tcIfindex, tcHandle, TcAttachment, TC_H,
  type TcClsactOptions, type TcFilterInfo, type TcDirection,
} from './tc-clsact.js';
