// Authentication and authorisation as Fastify hooks, so a request is refused before its body is read
// or parsed: onRequest finds the route's access rule (RouteAccess), checks the key (or the signature
// header's form and age) and the role, and takes a request token from the caller's rate limit.
// A signed request's MAC covers the raw body, so it is checked in preValidation, before any handler.
// With no API_KEYS (local mode only) auth is off and every caller is trusted.
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Env } from '../config/env.config';
import { AppError } from '../errors/app-error';
import { ApiKey, findApiKey, parseApiKeys, roleAllows } from './api-keys';
import { AUTH_OFF, Caller, rememberKeyId } from './caller';
import { RateLimits } from './rate-limits';
import {
  outsideWindow,
  parseSignatureHeader,
  parseSigningSecrets,
  SIGNATURE_HEADER,
  SIGNATURE_WINDOW_S,
  SignatureClaim,
  signatureMatches,
} from './request-signing';
import { RouteAccess } from './route-access';
import { SourceScope } from './source-scope';

declare module 'fastify' {
  interface FastifyRequest {
    /** A signed request's claim, checked against the raw body once it is read. */
    signature?: { claim: SignatureClaim; secret: Buffer };
  }
}

export function presentedKey(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  const key = headers['x-api-key'];
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

const invalidSignature = (why: string) =>
  new AppError('AUTH.INVALID_SIGNATURE', `${SIGNATURE_HEADER}: ${why}`, [
    { field: SIGNATURE_HEADER, message: why },
  ]);

@Injectable()
export class AuthHooks {
  private readonly logger = new Logger('auth');
  private readonly keys: ApiKey[] | undefined;
  private readonly secrets: Map<string, Buffer>;

  constructor(
    env: Env,
    private readonly access: RouteAccess,
    private readonly limits: RateLimits,
  ) {
    this.keys = env.API_KEYS ? parseApiKeys(env.API_KEYS) : undefined;
    this.secrets = parseSigningSecrets(env.SOURCE_SIGNING_SECRETS ?? '');
    if (!this.keys) {
      this.logger.warn(
        { op: 'auth', auth: 'off' },
        'API_KEYS is not set: authentication is OFF (local mode only); every caller is trusted',
      );
    }
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', async (request) => this.guarded(request, () => this.authenticate(request)));
    fastify.addHook('preValidation', async (request) =>
      this.guarded(request, () => this.verifySignature(request)),
    );
  }

  /** Runs a check; a refusal is logged with what is known of the caller, then answered. */
  private guarded(request: FastifyRequest, check: () => void): void {
    try {
      check();
    } catch (err) {
      if (err instanceof AppError && err.code !== 'RATE_LIMITED') {
        this.logger.warn(
          {
            op: 'auth',
            code: err.code,
            key_id: request.caller?.id,
            method: request.method,
            route: request.routeOptions.url,
            request_id: request.id,
          },
          'request refused',
        );
      }
      throw err;
    }
  }

  private authenticate(request: FastifyRequest): void {
    const url = request.routeOptions.url;
    // Unmatched routes get the 404 handler's answer.
    if (url === undefined) return;
    const access = this.access.of(request.method, url);
    if (!access || access.public) return;
    if (!this.keys) {
      request.caller = AUTH_OFF;
      return;
    }
    const presented = presentedKey(request.headers);
    const caller = presented !== undefined ? this.byKey(presented) : this.bySignature(request);
    request.caller = caller;
    rememberKeyId(request.raw, caller.id);
    const need = access.roles;
    if (need.length === 0 || caller.role === 'anonymous' || !roleAllows(caller.role, need)) {
      throw new AppError(
        'AUTH.FORBIDDEN',
        `This endpoint needs role ${need.join(' or ') || '(none granted)'}; the key has role ${caller.role}`,
      );
    }
    this.limits.takeRequest(caller);
  }

  private byKey(presented: string): Caller {
    const key = findApiKey(this.keys!, presented);
    if (!key) throw new AppError('AUTH.INVALID_KEY', 'The API key is not valid');
    return { id: key.id, role: key.role, scope: key.scope };
  }

  /** A request without a key may be signed with its source's secret: a producer of that source only. */
  private bySignature(request: FastifyRequest): Caller {
    const header = request.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || this.secrets.size === 0) {
      throw new AppError(
        'AUTH.MISSING_KEY',
        'An API key is required: send Authorization: Bearer <key> or x-api-key',
      );
    }
    const claim = parseSignatureHeader(header);
    if (typeof claim === 'string') throw invalidSignature(claim);
    const secret = this.secrets.get(claim.source);
    if (!secret) throw invalidSignature(`source ${claim.source} has no signing secret`);
    const skew = outsideWindow(claim, Date.now());
    if (skew !== undefined) {
      throw invalidSignature(
        `t= is ${skew} s away from the server's clock; at most ${SIGNATURE_WINDOW_S} s allowed`,
      );
    }
    request.signature = { claim, secret };
    return { id: `signed:${claim.source}`, role: 'producer', scope: SourceScope.only(claim.source) };
  }

  private verifySignature(request: FastifyRequest): void {
    const signed = request.signature;
    if (!signed) return;
    if (!signatureMatches(signed.secret, signed.claim, request.rawBody ?? Buffer.alloc(0))) {
      throw invalidSignature('v1= does not match the body signed with the source secret');
    }
  }
}
