// A live progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, tests), so
// stdout carries only the result.
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(value: number, payload: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, setTotal: () => undefined, stop: () => undefined };

export function progressBar(format: string, total: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const bar = new SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50, fps: 8 },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (value, payload) => bar.update(value, payload),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
