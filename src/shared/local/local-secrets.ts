// Local mode's own secrets, generated once and kept in DATA_DIR (mode 0600) so they survive restarts:
// the key that signs page cursors when CURSOR_SECRET is not set.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CURSOR_SECRET_FILE = 'cursor-secret';

/** The cursor secret kept in `dataDir`, created on first use; concurrent first uses agree on one. */
export function localCursorSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CURSOR_SECRET_FILE);
  try {
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}
