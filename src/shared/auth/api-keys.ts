// Parsing and constant-time lookup of the `role:key` pairs in API_KEYS.
import { createHash, timingSafeEqual } from 'node:crypto';

export const ROLES = ['producer', 'investigator', 'operator', 'metrics'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a key of each role may act as: an operator is also an investigator. */
const IMPLIES: Record<Role, readonly Role[]> = {
  producer: ['producer'],
  investigator: ['investigator'],
  operator: ['operator', 'investigator'],
  /** A scraper's key: GET /metrics (when METRICS_REQUIRE_KEY) and nothing else. */
  metrics: ['metrics'],
};

export interface ApiKey {
  role: Role;
  /** SHA-256 of the key, so comparisons are constant-time over equal-length buffers. */
  digest: Buffer;
  /** A short, non-secret label for logs: the role and the first 4 characters of the key's digest. */
  label: string;
}

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

export function parseApiKeys(raw: string): ApiKey[] {
  return raw
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0)
    .map((pair, index) => {
      const colon = pair.indexOf(':');
      const role = pair.slice(0, colon) as Role;
      const key = pair.slice(colon + 1);
      if (colon < 0 || !ROLES.includes(role)) {
        throw new Error(
          `API_KEYS entry ${index + 1}: expected role:key with role one of ${ROLES.join(', ')}`,
        );
      }
      if (key.length < 16) throw new Error(`API_KEYS entry ${index + 1}: key must be at least 16 characters`);
      const digest = digestOf(key);
      return { role, digest, label: `${role}:${digest.toString('hex').slice(0, 4)}` };
    });
}

/** Finds the key matching `presented`, comparing every configured key in constant time. */
export function findApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = digestOf(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest)) found ??= key;
  }
  return found;
}

export function roleAllows(have: Role, need: readonly Role[]): boolean {
  return need.some((role) => IMPLIES[have].includes(role));
}
