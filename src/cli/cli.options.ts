// Options every command shares (--url, --key, --json, from the flags or the environment) and
// argument parsers.
import { Command, InvalidArgumentError, Option } from 'commander';
import { ServiceClient } from './service.client';

export const DEFAULT_URL = 'http://localhost:3000';

export function addGlobalOptions(program: Command): void {
  program
    .addOption(
      new Option('--url <url>', 'base URL of the pipescope service')
        .env('PIPESCOPE_URL')
        .default(DEFAULT_URL),
    )
    .addOption(
      new Option('--key <key>', 'API key (prefer the variable: flags show up in ps and shell history)').env(
        'PIPESCOPE_API_KEY',
      ),
    )
    .option('--json', 'print JSON for scripts instead of tables');
}

export function globals(cmd: Command): { client: ServiceClient; json: boolean } {
  const opts = cmd.optsWithGlobals<{ url: string; key?: string; json?: boolean }>();
  return { client: new ServiceClient(opts.url, opts.key), json: opts.json === true };
}

export const int =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
    }
    return n;
  };

/** A time as the API takes it: RFC 3339 with an offset, or relative to now like `2h` or `7d`. */
export function time(value: string, now = Date.now()): string {
  const rel = /^(\d+)(m|h|d)$/.exec(value);
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
    return new Date(now - Number(rel[1]) * unit).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)))
    return value;
  throw new InvalidArgumentError(
    'an RFC 3339 time with an offset (2026-11-25T02:00:00Z) or an age like 30m, 2h, 7d',
  );
}

/** --from and --to on a command. */
export function windowOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--from <time>', `start of the ${what} window (RFC 3339, or an age: 30m, 2h, 7d)`, (v) => time(v))
    .option('--to <time>', `end of the ${what} window (default now)`, (v) => time(v));
}
