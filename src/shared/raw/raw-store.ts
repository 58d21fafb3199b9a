// Port for the immutable raw object store (S3 in production and local mode).

export interface PutResult {
  /** false when an object already existed at that key (S3 answered 412 to IfNoneMatch). */
  created: boolean;
}

/** One listed object. */
export interface RawObjectInfo {
  key: string;
  size: number;
  /** When S3 stored it (ISO 8601): for a raw object, when ingest received it. */
  last_modified: string;
}

export interface RawListPage {
  objects: RawObjectInfo[];
  /** The key to list after for the next page (a plain key, so it survives a restart); absent at the end. */
  next_after?: string;
}

export abstract class RawStore {
  /** Creates the object only if absent (S3 conditional create, IfNoneMatch: '*'). */
  abstract putIfAbsent(key: string, body: Buffer, contentType: string): Promise<PutResult>;
  /** Reads an object, or a byte range of it ([start, end] inclusive, as HTTP Range). */
  abstract get(key: string, range?: readonly [number, number]): Promise<Buffer>;
  /** Overwrites or creates an object; only for mutable, non-raw data (replay manifests, lineage). */
  abstract put(key: string, body: Buffer, contentType: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  /**
   * Removes an object. Ingest uses it only on raw objects it wrote in the same request and that no
   * index item points to (a repeat's or a conflict's bytes); nothing else deletes under raw/.
   */
  abstract delete(key: string): Promise<void>;
  abstract list(prefix: string, limit?: number): Promise<string[]>;
  /** One page of the objects under `prefix` in key order, starting after the key `after`. */
  abstract listPage(prefix: string, after?: string, limit?: number): Promise<RawListPage>;
  /** The next level of `/`-separated prefixes under `prefix` (`raw/` gives `raw/batches/`, `raw/source=x/`). */
  abstract partitions(prefix: string): Promise<string[]>;
  /** Health: HeadBucket. */
  abstract ping(signal?: AbortSignal): Promise<void>;
}
