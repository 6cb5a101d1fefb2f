/** Events from BPF programs to user space through mapped memory: ring buffers and perf buffers. */
export { RingBufferReader } from './ringbuf.js';
export { PerfBufferReader, type PerfRecord, type PerfBufferOptions } from './perfbuf.js';
export { MappedRegion } from './mmap-region.js';
export { pollRecords, type PollOptions } from './poll.js';
export { onlineCpus } from './online-cpus.js';
