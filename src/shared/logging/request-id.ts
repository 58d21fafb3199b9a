// One request id per request: the caller's x-request-id when it is sane, otherwise a new UUID.
// Fastify asks for it (genReqId); the answer is remembered on the raw request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;
const ID = Symbol('pipescope.requestId');

export function requestIdOf(req: IncomingMessage): string {
  const holder = req as IncomingMessage & { [ID]?: string };
  if (holder[ID]) return holder[ID];
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && SANE.test(header) ? header : randomUUID();
  holder[ID] = id;
  return id;
}
