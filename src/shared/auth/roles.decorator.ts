import { SetMetadata } from '@nestjs/common';
import type { Role } from './api-keys';

export const ROLES_KEY = 'pipescope:roles';
export const PUBLIC_KEY = 'pipescope:public';

/** The roles allowed to call a handler (any one suffices; operator implies investigator). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Open to anyone, no key needed (health probes). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
