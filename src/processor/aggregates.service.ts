// The aggregates read API: latest versions, version history, diffs and reverse provenance, per
// aggregator (the built-in `entity_hour` unless a request names another).
import { Injectable } from '@nestjs/common';
import { AggregateStore, AggregateVersion } from './aggregate-store';
import { EventIndex } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { hourOf } from '../shared/aws/table-keys';
import { AppError, validationError } from '../shared/errors/app-error';
import { normaliseTime } from '../shared/identity/event-identity';
import { bucketKey, diffInputs, diffValues, parseBucketKey, sortInputs } from './aggregate';
import type { ValueChange } from './aggregator';
import { AggregatorRegistry } from './aggregator-registry';
import { entityHourAggregator } from './entity-hour.aggregator';
import { normaliseRaw } from './normalise';
import { IntegrityError } from './message-verifier';

/** A version as the API shows it; the input list is only in GET .../versions/{n}. */
export type VersionView = Omit<AggregateVersion, 'input_event_ids' | 'sample_order' | 'first_input'>;

export interface DiffView {
  aggregator: string;
  key: string;
  from: number;
  to: number;
  changes: ValueChange[];
  added_event_ids: string[];
  removed_event_ids: string[];
}

/** The widest window GET /aggregates accepts. */
export const MAX_WINDOW_DAYS = 31;
/** The aggregator a request means when it names none. */
export const DEFAULT_AGGREGATOR = entityHourAggregator.name;

const view = (v: AggregateVersion): VersionView => {
  const rest: Partial<AggregateVersion> = { ...v };
  delete rest.input_event_ids;
  delete rest.sample_order;
  delete rest.first_input;
  return rest as VersionView;
};

@Injectable()
export class AggregatesService {
  constructor(
    private readonly store: AggregateStore,
    private readonly index: EventIndex,
    private readonly raw: RawStore,
    private readonly registry: AggregatorRegistry,
  ) {}

  async list(
    entityId: string,
    from: string,
    to: string,
    aggregator?: string,
  ): Promise<{ items: VersionView[] }> {
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (fromMs > toMs) {
      throw validationError('AGGREGATE.VALIDATION_FAILED', [
        { field: 'from', message: 'from must not be after to' },
      ]);
    }
    if (toMs - fromMs > MAX_WINDOW_DAYS * 86_400_000) {
      throw validationError('AGGREGATE.VALIDATION_FAILED', [
        { field: 'to', message: `the window may span at most ${MAX_WINDOW_DAYS} days` },
      ]);
    }
    const items = await this.store.latestOfEntity(
      entityId,
      hourOf(normaliseTime(from)),
      hourOf(normaliseTime(to)),
      aggregator,
    );
    return { items: items.map(view) };
  }

  async get(
    key: string,
    aggregator = DEFAULT_AGGREGATOR,
  ): Promise<{ aggregator: string; key: string; latest: VersionView; versions: VersionView[] }> {
    this.checkKey(key);
    const versions = await this.store.versions(aggregator, key);
    if (versions.length === 0) throw this.notFound(aggregator, key);
    return { aggregator, key, latest: view(versions[versions.length - 1]), versions: versions.map(view) };
  }

  /** One version with every input event id (from the bucket's contributions up to that version). */
  async version(
    key: string,
    n: number,
    aggregator = DEFAULT_AGGREGATOR,
  ): Promise<VersionView & { input_event_ids: string[] }> {
    this.checkKey(key);
    const found = await this.store.getVersion(aggregator, key, n);
    if (!found) {
      if ((await this.store.latest(aggregator, key)) === undefined) throw this.notFound(aggregator, key);
      throw new AppError('AGGREGATE.VERSION_NOT_FOUND', `aggregate ${aggregator} ${key} has no version ${n}`);
    }
    const inputs = sortInputs(await this.store.contributions(aggregator, key, n));
    return { ...view(found), input_event_ids: inputs.map((c) => c.event_id) };
  }

  async diff(key: string, from: number, to: number, aggregator = DEFAULT_AGGREGATOR): Promise<DiffView> {
    const [a, b] = await Promise.all([
      this.version(key, from, aggregator),
      this.version(key, to, aggregator),
    ]);
    const custom = this.registry.get(aggregator)?.diff;
    const changes = custom ? custom(a.value, b.value) : diffValues(a.value, b.value);
    return { aggregator, key, from, to, changes, ...diffInputs(a.input_event_ids, b.input_event_ids) };
  }

  /**
   * Reverse provenance: the versions, of every registered aggregator, whose inputs include the event
   * (the version that added it and every later one). `key` is the event's `entity_hour` bucket.
   */
  async ofEvent(eventId: string): Promise<{ event_id: string; key: string; items: VersionView[] }> {
    const record = await this.index.getEvent(eventId);
    if (!record) throw new AppError('QUERY.EVENT_NOT_FOUND', `event ${eventId} not found`);
    const normalised = normaliseRaw(await this.raw.get(record.s3_key, record.s3_range));
    if (!normalised.ok) throw new IntegrityError('raw_unreadable', normalised.reason, eventId);
    const event = normalised.event;
    const items: VersionView[] = [];
    for (const aggregator of this.registry.all) {
      const bucket = aggregator.bucketOf(event);
      if (!bucket) continue;
      const key = bucketKey(bucket);
      const added = await this.store.contribution(aggregator.name, key, eventId);
      if (!added) continue;
      const versions = await this.store.versions(aggregator.name, key);
      items.push(...versions.filter((v) => v.version >= added.version).map(view));
    }
    return { event_id: eventId, key: bucketKey(entityHourAggregator.bucketOf(event)!), items };
  }

  private checkKey(key: string): void {
    if (!parseBucketKey(key)) {
      throw validationError('AGGREGATE.VALIDATION_FAILED', [
        {
          field: 'key',
          message: 'an aggregate key is <entity_id>@<YYYY-MM-DDTHH or YYYY-MM-DD>, URL-encoded in paths',
        },
      ]);
    }
  }

  private notFound(aggregator: string, key: string): AppError {
    return new AppError('AGGREGATE.NOT_FOUND', `aggregate ${aggregator} ${key} not found`);
  }
}
