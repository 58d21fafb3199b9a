// Who made a request, as the auth hooks established it before the body was read.
import type { FastifyRequest } from 'fastify';
import type { Role } from './api-keys';
import { SourceScope } from './source-scope';

export interface Caller {
  /** Non-secret id (the key's id, `signed:<source>`, or `auth-off`) for logs, attempts and audit lines. */
  id: string;
  role: Role | 'anonymous';
  /** Sources this caller may write. */
  scope: SourceScope;
}

/** The caller of a request while auth is off (local mode without API_KEYS): trusted with everything. */
export const AUTH_OFF: Caller = { id: 'auth-off', role: 'anonymous', scope: SourceScope.ALL };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const keyIds = new WeakMap<object, string>();

/** Remembers the caller's id against the raw request, where the request log line looks for it. */
export function rememberKeyId(raw: object, id: string): void {
  keyIds.set(raw, id);
}

/** The key id of a raw request, when auth established one. */
export const keyIdOf = (raw: object): string | undefined => keyIds.get(raw);

/** The request's caller; public routes have none, so they count as AUTH_OFF (they need no key). */
export const callerOf = (req: FastifyRequest): Caller => req.caller ?? AUTH_OFF;
