// The aggregates read API: latest versions, version history, diffs and reverse provenance.
import { Injectable } from '@nestjs/common';
import { AggregateStore, AggregateVersion } from './aggregate-store';
import { EventIndex } from '../shared/events/event-index';
import { hourOf } from '../shared/aws/table-keys';
import { AppError, validationError } from '../shared/errors/app-error';
import { normaliseTime } from '../shared/identity/event-identity';
import { bucketKey, bucketOf, diffVersions, parseBucketKey, ValueChange } from './aggregate';
import { ProcessorService } from './processor.service';

/** A version as the API shows it; the input list is only in GET .../versions/{n} (and in lineage). */
export type VersionView = Omit<AggregateVersion, 'input_event_ids'>;

export interface DiffView {
  key: string;
  from: number;
  to: number;
  changes: ValueChange[];
  added_event_ids: string[];
  removed_event_ids: string[];
}

/** The widest window GET /aggregates accepts. */
export const MAX_WINDOW_DAYS = 31;

const view = (v: AggregateVersion): VersionView => {
  const rest: Partial<AggregateVersion> = { ...v };
  delete rest.input_event_ids;
  return rest as VersionView;
};

@Injectable()
export class AggregatesService {
  constructor(
    private readonly store: AggregateStore,
    private readonly index: EventIndex,
    private readonly processor: ProcessorService,
  ) {}

  async list(entityId: string, from: string, to: string): Promise<{ items: VersionView[] }> {
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
    );
    return { items: items.map(view) };
  }

  async get(key: string): Promise<{ key: string; latest: VersionView; versions: VersionView[] }> {
    const versions = await this.versionsOf(key);
    return { key, latest: view(versions[versions.length - 1]), versions: versions.map(view) };
  }

  async version(key: string, n: number): Promise<AggregateVersion> {
    this.checkKey(key);
    const found = await this.store.getVersion(key, n);
    if (!found) {
      if ((await this.store.latestVersion(key)) === undefined) throw this.notFound(key);
      throw new AppError('AGGREGATE.VERSION_NOT_FOUND', `aggregate ${key} has no version ${n}`);
    }
    return { ...found, input_event_ids: await this.processor.inputsOf(found) };
  }

  async diff(key: string, from: number, to: number): Promise<DiffView> {
    const [a, b] = await Promise.all([this.version(key, from), this.version(key, to)]);
    const d = diffVersions(
      { value: a.value, input_event_ids: a.input_event_ids ?? [] },
      { value: b.value, input_event_ids: b.input_event_ids ?? [] },
    );
    return { key, from, to, ...d };
  }

  /** The versions of the event's bucket whose inputs include it. */
  async ofEvent(eventId: string): Promise<{ event_id: string; key: string; items: VersionView[] }> {
    const event = await this.index.getEvent(eventId);
    if (!event) throw new AppError('QUERY.EVENT_NOT_FOUND', `event ${eventId} not found`);
    const key = bucketKey(bucketOf(event.entity_id, event.occurred_at));
    const versions = await this.store.versions(key);
    const fed: VersionView[] = [];
    for (const v of versions) {
      if ((await this.processor.inputsOf(v)).includes(eventId)) fed.push(view(v));
    }
    return { event_id: eventId, key, items: fed };
  }

  private async versionsOf(key: string): Promise<AggregateVersion[]> {
    this.checkKey(key);
    const versions = await this.store.versions(key);
    if (versions.length === 0) throw this.notFound(key);
    return versions;
  }

  private checkKey(key: string): void {
    if (!parseBucketKey(key)) {
      throw validationError('AGGREGATE.VALIDATION_FAILED', [
        { field: 'key', message: 'an aggregate key is <entity_id>@<YYYY-MM-DDTHH>, URL-encoded in paths' },
      ]);
    }
  }

  private notFound(key: string): AppError {
    return new AppError('AGGREGATE.NOT_FOUND', `aggregate ${key} not found`);
  }
}
