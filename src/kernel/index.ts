/**
 * The Linux backend: bpf(2) through koffi, typed wrappers for its commands, and objects loaded into
 * the kernel behind the same interfaces as the VM's (BpfMap for maps, a testRun for programs).
 * Nothing here loads native code until it is used; kernelAvailable() says whether it can be.
 */
export { kernelAvailable, closeFd, openFdCount } from './syscall.js';
export { KernelError, isKernelError, errnoName, ERRNO } from './errors.js';
export { BPF_CMD } from './attr.js';
export { possibleCpus } from './cpus.js';
export {
  mapCreate, mapLookupElem, mapUpdateElem, mapDeleteElem, mapGetNextKey, mapLookupAndDeleteElem, mapFreeze,
  mapLookupBatch, mapWriteBatch, type MapCreateAttrs, type KernelBatch,
} from './map-commands.js';
export { progLoad, LOG_LEVEL, PROG_FLAGS, type ProgLoadAttrs, type LoadedProg, type KernelFuncInfo, type KernelLineInfo } from './prog-load.js';
export { btfLoad, kernelBtfImage, type KernelBtfImage, type LoadedBtf } from './btf.js';
export { progTestRun, type KernelTestRunAttrs, type KernelTestRunOutput } from './test-run.js';
export {
  objPin, objGet, OBJ_FLAGS, getNextId, listIds, getFdById, progInfo, mapInfo, btfInfo, linkInfo,
  type ObjectKind, type KernelProgInfo, type KernelMapInfo, type KernelBtfInfo, type KernelLinkInfo,
} from './objects.js';
export { KernelMap, specOfInfo, type KernelMapCreateOptions } from './kernel-map.js';
export { KernelProgram, type KernelTestRunOptions, type KernelTestRunResult } from './kernel-program.js';
export { withMapFds, kernelInsnBytes } from './relocate.js';
export { loadObjectIntoKernel, type KernelLoadOptions, type KernelObject } from './load-object.js';
export {
  type Attachment, LinkAttachment, linkCreate, rawTracepointOpen, PERF_TYPE, PERF_COUNT_SW, perfEventOpen, tracefsRoot, tracepointId,
  attachTracepoint, attachRawTracepoint, attachKprobe, attachUprobe, HostElf, uprobeOffset, attachPerfEvent,
  attachXdp, attachTcx, attachCgroupSkb, ifindexOf, XDP_FLAGS, vmlinuxTargetId, loadBtfTracingProgram, attachBtfTracing,
  type KprobeOptions, type UprobeOptions, type UprobeTarget, type PerfSamplingOptions, type PerfEventAttr,
  attachProgram, attachAll, type AutoAttachOptions, type AttachAllOptions, type ObjectAttachment,
} from './attach/index.js';
export { readTraceLog, readTraceLogSync, parseTraceLine, type TraceLogOptions, type TraceLine, type TraceLineFilter } from './tracelog.js';
export { RingBufferReader, PerfBufferReader, type PerfRecord, type PerfBufferOptions, type PollOptions } from './events/index.js';
export { readUsdtProbes, findUsdtProbe, attachUsdt, parseUsdtArgs, encodeUsdtSpec, type UsdtProbe, type UsdtArg, type UsdtOptions, type UsdtAttachment } from './usdt/index.js';
export {
  attachTcClsact, createClsact, destroyClsact, queryTcFilter, listTcFilters, TcAttachment, type TcClsactOptions, type TcFilterInfo, type TcDirection,
} from './attach/index.js';
export { NlMessage, RtnetlinkSocket, withRtnetlink, NLM_F, NLMSG } from './netlink/index.js';
