// What the CLI prints: aligned tables for people, JSON for scripts; notes go to stderr so stdout stays
// clean for pipes.
import Table from 'cli-table3';

export type Cell = string | number | boolean | null | undefined;

/** A borderless table, like kubectl's: easy to read, easy to grep. */
export function table(head: string[], rows: Cell[][]): string {
  const t = new Table({
    head,
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  t.push(...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c)))));
  return `${t.toString().replace(/ +$/gm, '')}\n`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** A duration for people: `268 ms`, `4.2 s`, `21m05s`, `3h20m`. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (v < 1000) return `${v} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.round(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
