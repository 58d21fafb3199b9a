// The HTTP request in progress, as an AbortSignal that fires when its client goes away or its time
// ceiling (REQUEST_TIMEOUT_MS) passes. Storage calls made while serving a request take this signal
// (aws-clients.ts), so abandoned work stops instead of running on. Work that serves several requests
// or outlives one (group commits, the replay runner) runs `detached`, outside any request.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being served: its lifetime and its id (which every log line written for it carries). */
export interface RequestScope {
  signal: AbortSignal;
  id: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Why a request's signal fired: its response went out (`answered`) or its client left first. */
export class RequestEndedError extends Error {
  constructor(readonly answered: boolean) {
    super(answered ? 'the request was answered' : 'the client closed the connection');
    this.name = 'RequestEndedError';
  }

  /** The two reasons, made once: every request ends with one, and a stack says nothing about either. */
  static readonly ANSWERED = new RequestEndedError(true);
  static readonly CLIENT_GONE = new RequestEndedError(false);
}

/** Runs `fn` (and everything it starts) as part of `request`. */
export function runInRequest<T>(request: RequestScope, fn: () => T): T {
  return scope.run(request, fn);
}

/** The signal of the request being served, or undefined outside a request. */
export function requestSignal(): AbortSignal | undefined {
  return scope.getStore()?.signal;
}

/** The id of the request being served, or undefined outside a request (and in detached work). */
export function requestIdInScope(): string | undefined {
  return scope.getStore()?.id;
}

/** Runs `fn` (and everything it starts) outside any request: no client can cancel it. */
export function detached<T>(fn: () => T): T {
  return scope.exit(fn);
}
