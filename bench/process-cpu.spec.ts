// The bench's CPU accounting per process: parsing /proc stat lines, and summing a process tree by role.
import { coresBetween, formatCores, parseStat, readCpu, roleOf, ticksByRole } from './process-cpu';

/** A /proc/<pid>/stat line with the given fields (utime and stime in ticks). */
const statLine = (pid: number, name: string, ppid: number, utime: number, stime: number): string =>
  `${pid} (${name}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 5 1000 10`;

describe('parseStat', () => {
  it('reads the pid, the parent and user plus system ticks', () => {
    expect(parseStat(statLine(42, 'node', 7, 150, 25))).toEqual({ pid: 42, ppid: 7, ticks: 175 });
  });

  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    expect(parseStat(statLine(9, 'a) (b c) 1 2', 3, 10, 5))).toEqual({ pid: 9, ppid: 3, ticks: 15 });
  });

  it('answers nothing for a line that is not a stat line', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('12 node S 1 2')).toBeUndefined();
    expect(parseStat('12 (node) S x y')).toBeUndefined();
  });
});

describe('roleOf', () => {
  it.each([
    ['java -Djava.library.path=x -jar DynamoDBLocal.jar -inMemory', 'dynamodb'],
    ['node scripts/emulators/fauxqs.mjs --port 4566 --s3-dir /tmp/s3', 's3'],
    ['node scripts/emulators/fauxqs.mjs --port 4567', 'sqs'],
    ['node dist/bench/latency-proxy.js 127.0.0.1:4567 5', 'proxy'],
    ['bash -c sleep 1', 'other'],
  ])('%s is %s', (cmdline, role) => expect(roleOf(cmdline)).toBe(role));
});

describe('ticksByRole', () => {
  const procs = [
    { pid: 1, ppid: 0, ticks: 999, cmdline: 'init' },
    { pid: 10, ppid: 1, ticks: 300, cmdline: 'node bench.js' },
    { pid: 11, ppid: 10, ticks: 40, cmdline: 'setpriv --pdeathsig KILL java -jar DynamoDBLocal.jar' },
    { pid: 12, ppid: 11, ticks: 5, cmdline: 'sh -c helper' },
    { pid: 13, ppid: 10, ticks: 70, cmdline: 'node fauxqs.mjs --port 1' },
    { pid: 14, ppid: 10, ticks: 8, cmdline: 'node fauxqs.mjs --s3-dir /tmp/x' },
    { pid: 15, ppid: 10, ticks: 2, cmdline: 'sh -c true' },
    { pid: 16, ppid: 15, ticks: 3, cmdline: 'node fauxqs.mjs --port 2' },
    { pid: 20, ppid: 1, ticks: 500, cmdline: 'node fauxqs.mjs --port 3' },
  ];

  it('sums the root and its descendants by role, leaving other processes out', () => {
    expect(ticksByRole(10, procs)).toEqual({ app: 300, dynamodb: 45, sqs: 73, s3: 8, other: 2 });
  });

  it('answers nothing when the root is not in the table', () => {
    expect(ticksByRole(99, procs)).toEqual({});
  });
});

describe('coresBetween', () => {
  it('divides each role’s CPU seconds by the wall time between the readings', () => {
    const a = { at: 1000, seconds: { app: 1, sqs: 0.5 } };
    const b = { at: 3000, seconds: { app: 3, sqs: 1.2, s3: 0.1 } };
    expect(coresBetween(a, b)).toEqual({ app: 1, sqs: 0.35, s3: 0.05 });
    expect(formatCores(coresBetween(a, b))).toBe('app 1.00, s3 0.05, sqs 0.35');
    expect(coresBetween(b, a)).toEqual({});
  });
});

describe('readCpu', () => {
  it('reads this process’s own CPU time, which grows as it works (Linux; nothing elsewhere)', () => {
    const a = readCpu();
    const until = Date.now() + 60;
    let spin = 0;
    while (Date.now() < until) spin += 1;
    const b = readCpu();
    expect(spin).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(b.seconds.app).toBeGreaterThan(a.seconds.app);
    else expect(b.seconds).toEqual({});
  });

  it('counts seconds in the unit /proc uses: what Node itself reports for this process (Linux)', () => {
    if (process.platform !== 'linux') return;
    const seconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
    const outerStart = process.cpuUsage();
    const a = readCpu();
    const innerStart = process.cpuUsage();
    const until = Date.now() + 300;
    while (Date.now() < until);
    const inner = seconds(process.cpuUsage(innerStart));
    const b = readCpu();
    const outer = seconds(process.cpuUsage(outerStart));
    // /proc's window holds the spin and part of both readings, each of which reads every process's
    // stat (on a busy CI machine, 79 ms more than the spin alone): so it lies between Node's count of
    // the spin alone and its count of the spin with both readings, within a few 10 ms ticks. Any
    // other tick rate than 100 a second would put it far outside (250: 0.4 times the spin).
    const proc = b.seconds.app - a.seconds.app;
    expect(proc).toBeGreaterThan(inner - 0.05);
    expect(proc).toBeLessThan(outer + 0.05);
  });
});
