/**
 * Everything a program can learn about the host through helpers (time, pid, uid, comm, CPU,
 * randomness) comes from one Env object, so a test can fix it and every run is reproducible.
 */
export interface Env {
  /** bpf_ktime_get_ns: monotonic nanoseconds. */
  ktimeNs(): bigint;
  /** bpf_ktime_get_boot_ns: nanoseconds since boot, suspend included. */
  bootNs(): bigint;
  /** bpf_jiffies64. */
  jiffies(): bigint;
  /** bpf_get_prandom_u32. */
  prandom(): number;
  /** The CPU a run is on (bpf_get_smp_processor_id); per-CPU maps use it. */
  cpu: number;
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  /** Task name (at most 15 bytes are visible, as TASK_COMM_LEN 16 with the NUL). */
  comm: string;
}

const HZ = 250n;

/** The real host: monotonic clock, this process's ids, Math.random. */
export function hostEnv(): Env {
  const t0 = process.hrtime.bigint();
  const bootOffset = BigInt(Math.round(process.uptime() * 1e9));
  return {
    ktimeNs: () => process.hrtime.bigint(),
    bootNs: () => process.hrtime.bigint() - t0 + bootOffset,
    jiffies: () => ((process.hrtime.bigint() - t0 + bootOffset) * HZ) / 1_000_000_000n,
    prandom: () => Math.floor(Math.random() * 0x100000000) >>> 0,
    cpu: 0,
    pid: process.pid,
    tgid: process.pid,
    uid: typeof process.getuid === 'function' ? process.getuid() : 0,
    gid: typeof process.getgid === 'function' ? process.getgid() : 0,
    comm: 'node',
  };
}

/**
 * A reproducible environment: time advances by `stepNs` each time it is read, the random numbers
 * come from a seeded xorshift, and the ids are fixed. Fields can be overridden.
 */
export function fixedEnv(over: Partial<Env> & { startNs?: bigint; stepNs?: bigint; seed?: number } = {}): Env {
  let now = over.startNs ?? 1_000_000_000n;
  const step = over.stepNs ?? 1000n;
  let s = (over.seed ?? 0x2545f491) | 0 || 1;
  const tick = (): bigint => (now += step);
  const env: Env = {
    ktimeNs: tick,
    bootNs: tick,
    jiffies: () => (now * HZ) / 1_000_000_000n,
    prandom: () => {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      return s >>> 0;
    },
    cpu: 0,
    pid: 4242,
    tgid: 4242,
    uid: 1000,
    gid: 1000,
    comm: 'tsbpf-test',
  };
  const { startNs: _a, stepNs: _b, seed: _c, ...rest } = over;
  return Object.assign(env, rest);
}
