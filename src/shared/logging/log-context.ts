// Background work (a replay run, a batch of queue messages) logs under its own fields, never under the
// request that happened to start it: a line takes its request_id from the request scope
// (shared/async/request-scope.ts), which every promise begun inside a request (POST /replay waking the
// runner) would carry for as long as the work runs. Running `detached` leaves that scope, so it also
// runs outside the request's lifetime: the request's client leaving must not cancel its storage calls.
import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { detached } from '../async/request-scope';

@Injectable()
export class LogContext {
  constructor(private readonly pino: PinoLogger) {}

  /**
   * Runs `work` in a logging context of its own, every line bound to `fields`, none to a request; and
   * outside the request's lifetime, so its client leaving does not cancel the work's storage calls.
   */
  detached<T>(fields: Record<string, string>, work: () => T): T {
    return detached(() => this.pino.runInContext(work, { bindings: fields }));
  }
}
