import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__PIPESCOPE_STACK__?.stop();
  const dir = process.env.PIPESCOPE_TEST_S3_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
