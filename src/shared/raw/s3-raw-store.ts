import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { StorageNotFoundError } from '../errors/app-error';
import { PutResult, RawListPage, RawStore } from './raw-store';
import { rethrowStorage } from '../aws/storage-errors';

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (err: unknown): number | undefined => (err as S3ErrorShape)?.$metadata?.httpStatusCode;

export class S3RawStore extends RawStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {
    super();
  }

  async putIfAbsent(key: string, body: Buffer, contentType: string): Promise<PutResult> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
          IfNoneMatch: '*',
        }),
      );
      return { created: true };
    } catch (err) {
      if (statusOf(err) === 412 || (err as S3ErrorShape).name === 'PreconditionFailed')
        return { created: false };
      // 409 ConditionalRequestConflict: a concurrent conditional write to the same key is in flight.
      if (statusOf(err) === 409) return { created: false };
      return rethrowStorage('s3', 'PutObject', err);
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (err) {
      rethrowStorage('s3', 'PutObject', err);
    }
  }

  async get(key: string, range?: readonly [number, number]): Promise<Buffer> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range[0]}-${range[1]}` : undefined,
        }),
      );
      const bytes = await out.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      const name = (err as S3ErrorShape).name;
      if (name === 'NoSuchKey' || statusOf(err) === 404) throw new StorageNotFoundError(`raw object ${key}`);
      return rethrowStorage('s3', 'GetObject', err);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404 || (err as S3ErrorShape).name === 'NotFound') return false;
      return rethrowStorage('s3', 'HeadObject', err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      rethrowStorage('s3', 'DeleteObject', err);
    }
  }

  async list(prefix: string, limit = 1000): Promise<string[]> {
    const keys: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.listPage(prefix, after, Math.min(1000, limit - keys.length));
      keys.push(...page.objects.map((o) => o.key));
      after = page.next_after;
    } while (after && keys.length < limit);
    return keys;
  }

  // StartAfter rather than ContinuationToken: a key is a checkpoint that survives a restart and means
  // the same to every S3 implementation.
  async listPage(prefix: string, after?: string, limit = 1000): Promise<RawListPage> {
    try {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, StartAfter: after, MaxKeys: limit }),
      );
      const objects = (page.Contents ?? []).map((o) => ({
        key: o.Key!,
        size: o.Size ?? 0,
        last_modified: (o.LastModified ?? new Date(0)).toISOString(),
      }));
      return page.IsTruncated && objects.length > 0
        ? { objects, next_after: objects[objects.length - 1].key }
        : { objects };
    } catch (err) {
      return rethrowStorage('s3', 'ListObjectsV2', err);
    }
  }

  async partitions(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
        found.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found;
    } catch (err) {
      return rethrowStorage('s3', 'ListObjectsV2', err);
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal });
    } catch (err) {
      rethrowStorage('s3', 'HeadBucket', err);
    }
  }
}
