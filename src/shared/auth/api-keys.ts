// API_KEYS: parsing of its entries and the constant-time lookup of a presented key. An entry is
// `[id=]role:key[:sources]`; several entries may share a role (rotation: old and new keys at once).
import { createHash, timingSafeEqual } from 'node:crypto';
import { SourceScope } from './source-scope';

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

export const KEY_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Keys are opaque, but `:` and `,` separate entries and fields, and spaces would be trimmed away. */
const KEY = /^[^\s:,]{16,}$/;

export interface ApiKey {
  /** Non-secret name for logs, attempts and audit lines: given in the entry, or role-<8 hex of SHA-256>. */
  id: string;
  role: Role;
  /** SHA-256 of the key, so comparisons are constant-time over equal-length buffers. */
  digest: Buffer;
  /** Sources a producer key may write; every source when the entry names none. */
  scope: SourceScope;
}

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

function parseEntry(entry: string, n: number): ApiKey {
  const fail = (why: string): never => {
    throw new Error(`API_KEYS entry ${n}: ${why}`);
  };
  const named = /^([^=:]+)=(.*)$/.exec(entry);
  const [rawId, rest] = named ? [named[1], named[2]] : [undefined, entry];
  const [role, key, sources, ...extra] = rest.split(':');
  if (!ROLES.includes(role as Role) || key === undefined || extra.length > 0) {
    fail(`expected [id=]role:key[:sources] with role one of ${ROLES.join(', ')}`);
  }
  if (!KEY.test(key)) fail('key must be at least 16 characters, without spaces, ":" or ","');
  if (rawId !== undefined && !KEY_ID.test(rawId)) fail(`id must match ${KEY_ID.source}`);
  if (sources !== undefined && role !== 'producer') fail('only producer keys are scoped to sources');
  let scope = SourceScope.ALL;
  if (sources !== undefined) {
    try {
      scope = SourceScope.parse(sources);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  const digest = digestOf(key);
  return { id: rawId ?? `${role}-${digest.toString('hex').slice(0, 8)}`, role: role as Role, digest, scope };
}

export function parseApiKeys(raw: string): ApiKey[] {
  const keys = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry, index) => parseEntry(entry, index + 1));
  const seen = new Map<string, number>();
  keys.forEach((key, index) => {
    const first = seen.get(key.id);
    if (first !== undefined)
      throw new Error(`API_KEYS entry ${index + 1}: id ${key.id} repeats entry ${first}`);
    seen.set(key.id, index + 1);
    if (keys.findIndex((k) => k.digest.equals(key.digest)) !== index) {
      throw new Error(`API_KEYS entry ${index + 1}: the same key appears twice`);
    }
  });
  return keys;
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
