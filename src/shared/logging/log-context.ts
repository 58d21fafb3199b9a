// Background work (a replay run, a batch of queue messages) logs under its own fields, never under the
// request that happened to start it: nestjs-pino keeps each request's logger in AsyncLocalStorage, and
// every promise begun inside a request (POST /replay waking the runner) would carry its req and
// request_id for as long as the work runs.
import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

@Injectable()
export class LogContext {
  constructor(private readonly pino: PinoLogger) {}

  /** Runs `work` in a logging context of its own, every line bound to `fields`, none to a request. */
  detached<T>(fields: Record<string, string>, work: () => T): T {
    return this.pino.runInContext(work, { bindings: fields });
  }
}
