import { SetMetadata } from '@nestjs/common';
import type { Env } from '../config/env.config';
import type { Role } from './api-keys';

export const ROLES_KEY = 'pipescope:roles';
export const PUBLIC_KEY = 'pipescope:public';
export const PUBLIC_UNLESS_KEY = 'pipescope:public-unless';

/** The roles allowed to call a handler (any one suffices; operator implies investigator). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Open to anyone, no key needed (health probes). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** Open to anyone unless the named boolean setting is on; then the handler's @Roles apply. */
export const PublicUnless = (setting: BooleanSetting) => SetMetadata(PUBLIC_UNLESS_KEY, setting);
export type BooleanSetting = { [K in keyof Env]: Env[K] extends boolean ? K : never }[keyof Env];
