// Who may call each route, read once from the controllers' @Roles/@Public/@PublicUnless metadata
// (and the config a @PublicUnless names), so the auth hook can decide from the method and the route
// alone, before the body is read.
import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Env } from '../config/env.config';
import type { Role } from './api-keys';
import { BooleanSetting, PUBLIC_KEY, PUBLIC_UNLESS_KEY, ROLES_KEY } from './roles.decorator';

export type Access = { public: true } | { public: false; roles: readonly Role[] };

/** `/` + the non-empty segments of the controller's and the method's paths, as Fastify registers them. */
export function routePath(controllerPath: string, methodPath: string): string {
  const segments = [controllerPath, methodPath].flatMap((p) => p.split('/')).filter(Boolean);
  return `/${segments.join('/')}`;
}

/** A path from @Controller/@Get metadata: a string, or the first of several. */
const first = (path: unknown): string => {
  const p: unknown = Array.isArray(path) ? path[0] : path;
  return typeof p === 'string' ? p : '';
};

@Injectable()
export class RouteAccess implements OnModuleInit {
  private readonly routes = new Map<string, Access>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      const base = first(Reflect.getMetadata(PATH_METADATA, metatype));
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (methodPath === undefined || method === undefined) continue;
        const targets = [handler, metatype];
        const unless = this.reflector.getAllAndOverride<BooleanSetting | undefined>(
          PUBLIC_UNLESS_KEY,
          targets,
        );
        const open =
          this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) || (unless && !this.env[unless]);
        const access: Access = open
          ? { public: true }
          : { public: false, roles: this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [] };
        this.routes.set(`${RequestMethod[method]} ${routePath(base, first(methodPath))}`, access);
      }
    }
  }

  /**
   * The access rule of a matched route; undefined for a route no controller declares (the OpenAPI
   * document served by @nestjs/swagger), which is open. HEAD is answered by the GET handler.
   */
  of(method: string, url: string): Access | undefined {
    return this.routes.get(`${method === 'HEAD' ? 'GET' : method} ${url}`);
  }
}
