// Global guard: every route needs a valid API key with one of the roles its handler declares,
// except routes marked @Public(). With no API_KEYS in local mode, auth is off (warned at boot).
import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Env } from '../config/env.config';
import { AppError } from '../errors/app-error';
import { ApiKey, findApiKey, parseApiKeys, Role, roleAllows } from './api-keys';
import { BooleanSetting, PUBLIC_KEY, PUBLIC_UNLESS_KEY, ROLES_KEY } from './roles.decorator';

export interface Caller {
  role: Role | 'anonymous';
  /** Non-secret label of the key (role and digest prefix), for audit logs. */
  label: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Who made the request; with auth off (local mode, no API_KEYS) everyone is `auth-off`. */
export const callerOf = (req: FastifyRequest): Caller =>
  req.caller ?? { role: 'anonymous', label: 'auth-off' };

export function presentedKey(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  const key = headers['x-api-key'];
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: ApiKey[] | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly env: Env,
  ) {
    this.keys = env.API_KEYS ? parseApiKeys(env.API_KEYS) : undefined;
    if (!this.keys) {
      new Logger('auth').warn(
        'API_KEYS is not set: authentication is OFF (local mode only); every caller is trusted',
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const unless = this.reflector.getAllAndOverride<BooleanSetting | undefined>(PUBLIC_UNLESS_KEY, targets);
    if (unless && !this.env[unless]) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.keys) {
      request.caller = { role: 'anonymous', label: 'auth-off' };
      return true;
    }
    const presented = presentedKey(request.headers);
    if (!presented) {
      throw new AppError(
        'AUTH.MISSING_KEY',
        'An API key is required: send Authorization: Bearer <key> or x-api-key',
      );
    }
    const key = findApiKey(this.keys, presented);
    if (!key) throw new AppError('AUTH.INVALID_KEY', 'The API key is not valid');
    request.caller = { role: key.role, label: key.label };
    const need = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (need.length === 0 || !roleAllows(key.role, need)) {
      throw new AppError(
        'AUTH.FORBIDDEN',
        `This endpoint needs role ${need.join(' or ') || '(none granted)'}; the key has role ${key.role}`,
      );
    }
    return true;
  }
}
