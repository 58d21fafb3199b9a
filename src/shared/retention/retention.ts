// How long each kind of stored data is kept: table items carry a DynamoDB TTL (`expires_at`, epoch
// seconds) set when they are written, S3 prefixes get lifecycle expiration rules from the provisioner.
// Raw events and event index items are kept forever unless the operator sets a retention for them.
import type { Env } from '../config/env.config';

/** TTL attribute: items carrying `expires_at` (epoch seconds) are deleted by DynamoDB after that time. */
export const TTL_ATTRIBUTE = 'expires_at';

/** Kinds of table items that may expire through TTL. */
export type ItemKind = 'events' | 'attempts' | 'rejected' | 'done_markers' | 'reconcile';
/** Kinds of S3 objects that may expire through lifecycle rules, by prefix. */
export type ObjectKind = 'raw' | 'rejected' | 'replay_manifests' | 'lineage';

export const OBJECT_PREFIXES: Record<ObjectKind, string> = {
  raw: 'raw/',
  rejected: 'rejected/',
  replay_manifests: 'replays/',
  lineage: 'lineage/',
};

/** Lifecycle rule ids the provisioner owns start with this; rules with other ids are left alone. */
export const LIFECYCLE_RULE_PREFIX = 'pipescope-';

/** SQS keeps a message at most 14 days: a DONE marker must outlive any redelivery. */
export const MIN_DONE_MARKER_DAYS = 15;

/** An expiration the bucket's lifecycle configuration should hold. */
export interface PrefixExpiry {
  id: string;
  prefix: string;
  days: number;
}

const DAY_S = 86_400;

export class Retention {
  constructor(
    /** Days per kind; 0 or absent keeps that kind forever. */
    private readonly days: Partial<Record<ItemKind | ObjectKind, number>>,
  ) {}

  static fromEnv(env: Env): Retention {
    return new Retention({
      events: env.RETENTION_EVENTS_DAYS,
      raw: env.RETENTION_RAW_DAYS,
      attempts: env.RETENTION_ATTEMPTS_DAYS,
      rejected: env.RETENTION_REJECTED_DAYS,
      replay_manifests: env.RETENTION_REPLAY_MANIFESTS_DAYS,
      lineage: env.RETENTION_LINEAGE_DAYS,
      done_markers: env.RETENTION_DONE_MARKERS_DAYS,
      reconcile: env.RETENTION_RECONCILE_DAYS,
    });
  }

  /** Keeps everything forever (tests, benchmarks). */
  static forever(): Retention {
    return new Retention({});
  }

  /** Days a kind is kept, undefined for forever. */
  daysOf(kind: ItemKind | ObjectKind): number | undefined {
    const days = this.days[kind];
    return days && days > 0 ? days : undefined;
  }

  /**
   * The TTL attribute for an item of `kind` whose clock starts at `from` (ISO time or epoch ms), to
   * spread into the item: `{ expires_at }`, or nothing when the kind is kept forever.
   */
  ttl(kind: ItemKind, from: string | number): { [TTL_ATTRIBUTE]?: number } {
    const days = this.daysOf(kind);
    if (days === undefined) return {};
    const ms = typeof from === 'number' ? from : Date.parse(from);
    return { [TTL_ATTRIBUTE]: Math.floor(ms / 1000) + days * DAY_S };
  }

  /** Whether an item of `kind` that started at `from` is past its retention at `now` (epoch ms). */
  expired(kind: ItemKind, from: string | number, now: number): boolean {
    const expiresAt = this.ttl(kind, from)[TTL_ATTRIBUTE];
    return expiresAt !== undefined && expiresAt * 1000 <= now;
  }

  /** The S3 lifecycle expirations this retention asks for, one per prefix kept for a limited time. */
  prefixExpiries(): PrefixExpiry[] {
    return (Object.keys(OBJECT_PREFIXES) as ObjectKind[]).flatMap((kind) => {
      const days = this.daysOf(kind);
      return days === undefined
        ? []
        : [{ id: `${LIFECYCLE_RULE_PREFIX}${kind.replace(/_/g, '-')}`, prefix: OBJECT_PREFIXES[kind], days }];
    });
  }
}

/** Combinations of retention settings that would break a promise the data model makes. */
export function retentionProblems(env: Env): string[] {
  const problems: string[] = [];
  const raw = env.RETENTION_RAW_DAYS;
  const events = env.RETENTION_EVENTS_DAYS;
  if (raw > 0 && (events === 0 || events > raw)) {
    problems.push(
      `RETENTION_RAW_DAYS=${raw}: the index would point at expired raw objects; set RETENTION_EVENTS_DAYS ` +
        `to at most ${raw} days as well (it is ${events === 0 ? 'forever' : `${events} days`})`,
    );
  }
  const done = env.RETENTION_DONE_MARKERS_DAYS;
  if (done > 0 && done < MIN_DONE_MARKER_DAYS) {
    problems.push(
      `RETENTION_DONE_MARKERS_DAYS=${done}: markers must outlive SQS's 14-day message retention; ` +
        `use at least ${MIN_DONE_MARKER_DAYS} (or 0 for forever)`,
    );
  }
  return problems;
}

/**
 * Raw retention under Object Lock: objects cannot be deleted before their lock ends, so a shorter
 * retention is a configuration mistake, not a saving.
 */
export function objectLockProblem(
  rawDays: number | undefined,
  lockDays: number | undefined,
): string | undefined {
  if (rawDays === undefined || lockDays === undefined || rawDays >= lockDays) return undefined;
  return (
    `RETENTION_RAW_DAYS=${rawDays} is shorter than the bucket's Object Lock default retention ` +
    `(${lockDays} days); raise it to at least ${lockDays} or leave raw events kept forever`
  );
}
