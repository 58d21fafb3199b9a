// Helpers for tests that run the real entry points (dist/src/*.js) as child processes.
import { ChildProcess } from 'node:child_process';

/** The `"op":"ready"` log line of main.ts. */
export interface ReadyLine {
  startup_ms: number;
  mode: string;
  url: string;
  emulators?: { s3: string; dynamodb: string; sqs: string };
}

/** A child's environment: only PATH and HOME from ours, so nothing leaks in by accident. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/**
 * Resolves with the parsed ready line and everything printed on stdout up to it; rejects with the
 * output so far if the child exits or is slow.
 */
export function waitReady(
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<{ ready: ReadyLine; stdout: string }> {
  return new Promise<{ ready: ReadyLine; stdout: string }>((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => fail(new Error(`not ready in ${timeoutMs} ms:\n${out}\n${err}`)),
      timeoutMs,
    );
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes('"op":"ready"'));
      if (line) {
        clearTimeout(timer);
        done({ ready: JSON.parse(line) as ReadyLine, stdout: out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`exited with ${code}:\n${out}\n${err}`));
    });
  });
}

/** Resolves with the exit code once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise<number | null>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });
}
