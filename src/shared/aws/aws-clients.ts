// The SDK clients, built once from config. Explicit endpoints (AWS_ENDPOINT_URL_*) are passed through
// so emulators and AWS share one path; credentials come from the standard SDK chain, except in local
// mode, where the emulators take fixed ones.
//
// Every call has one deadline, STORAGE_TIMEOUT_MS, that covers all its attempts and the backoff
// between them: the HTTP handler throws (not just warns) when an attempt passes it, sockets that go
// quiet are closed, a connection not made in half of it is tried again, and the call's abort signal
// ends the retries when the budget is spent. It also covers a body read after the answer (S3
// GetObject), until the body is read. A call made while serving an HTTP request also stops when that
// request ends early (client gone, REQUEST_TIMEOUT_MS).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { requestSignal } from '../async/request-scope';
import type { Env } from '../config/env.config';
import { LOCAL_CREDENTIALS } from '../local/local-stack';
import { isUnavailable } from './storage-errors';

export interface AwsClients {
  s3: S3Client;
  /** The plain client, for table management; items go through `dynamo`. */
  dynamoBase: DynamoDBClient;
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
}

/** Attempts per call, the first included; all of them share the call's STORAGE_TIMEOUT_MS. */
export const STORAGE_MAX_ATTEMPTS = 3;
/**
 * A connection not made in half the call's deadline is given up and tried once more within it. (Not
 * much less: a loaded host can take a second or more to accept when many sockets open at once.)
 */
export const connectTimeoutMs = (deadlineMs: number): number => Math.max(100, Math.floor(deadlineMs / 2));

interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export type StorageDependency = 's3' | 'dynamodb' | 'sqs';
/**
 * How a storage call ended: `ok`; `refused` (the store answered no: a condition failed, a key was
 * missing); `unavailable` (the store failed or could not be reached); `timeout` (STORAGE_TIMEOUT_MS
 * passed); `cancelled` (the HTTP request it served ended first).
 */
export type StorageCallOutcome = 'ok' | 'refused' | 'unavailable' | 'timeout' | 'cancelled';
export type StorageCallObserver = (
  dependency: StorageDependency,
  operation: string,
  outcome: StorageCallOutcome,
) => void;

/** The signal a call runs under: its deadline, the caller's own signal, and the request's. */
export function callSignal(deadline: AbortSignal, own?: AbortSignal): AbortSignal {
  const request = requestSignal();
  if (!own && !request) return deadline;
  const signals = [deadline];
  if (own) signals.push(own);
  if (request) signals.push(request);
  return AbortSignal.any(signals);
}

function outcomeOf(err: unknown, deadline: AbortSignal, signal: AbortSignal): StorageCallOutcome {
  if (deadline.aborted) return 'timeout';
  if (signal.aborted) return 'cancelled';
  return isUnavailable(err) ? 'unavailable' : 'refused';
}

/** Gives every `send` of `client` its deadline and the request's signal, and reports how it ended. */
export function bounded<C extends object>(
  client: C,
  dependency: StorageDependency,
  deadlineMs: number,
  observe: StorageCallObserver,
): C {
  const sender = client as unknown as Sender;
  const send = sender.send.bind(sender);
  sender.send = async (command, options) => {
    const operation = (command as object).constructor.name.replace(/Command$/, '');
    // A timer cleared when the call ends, not AbortSignal.timeout: that one fires even after the call
    // answered, building a TimeoutError with its stack and waking every listener, about 20 µs of CPU
    // per call that replay and ingest measurably paid (docs/benchmarks.md).
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`storage call took over ${deadlineMs} ms`, 'TimeoutError')),
      deadlineMs,
    );
    timer.unref();
    const deadline = controller.signal;
    const abortSignal = callSignal(deadline, options?.abortSignal);
    let streaming = false;
    try {
      const out = await send(command, { ...options, abortSignal });
      observe(dependency, operation, 'ok');
      // A body still to be read (S3 GetObject) stays under the deadline until it is: the HTTP handler
      // listens to the signal until its request closes, so an abort ends a body that trickles.
      const body = (out as { Body?: unknown } | undefined)?.Body;
      if (body instanceof Readable && !body.closed) {
        streaming = true;
        body.once('close', () => clearTimeout(timer));
      }
      return out;
    } catch (err) {
      observe(dependency, operation, outcomeOf(err, deadline, abortSignal));
      throw err;
    } finally {
      if (!streaming) clearTimeout(timer);
    }
  };
  return client;
}

export function createAwsClients(env: Env, observe: StorageCallObserver = () => undefined): AwsClients {
  const requestHandler = () =>
    new NodeHttpHandler({
      connectionTimeout: connectTimeoutMs(env.STORAGE_TIMEOUT_MS),
      requestTimeout: env.STORAGE_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: env.STORAGE_TIMEOUT_MS,
      httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
    });
  const base = {
    region: env.AWS_REGION,
    maxAttempts: STORAGE_MAX_ATTEMPTS,
    ...(env.PIPESCOPE_MODE === 'local' ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
  const s3 = new S3Client({
    ...base,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: requestHandler(),
  });
  const dynamoBase = new DynamoDBClient({
    ...base,
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    requestHandler: requestHandler(),
  });
  const dynamo = DynamoDBDocumentClient.from(dynamoBase, {
    // A map whose keys a producer chose (an aggregate's by_type) may hold a key named `constructor`,
    // which the marshaller would otherwise take for a class instance and refuse.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  const sqs = new SQSClient({
    ...base,
    endpoint: env.AWS_ENDPOINT_URL_SQS,
    requestHandler: requestHandler(),
  });
  const ms = env.STORAGE_TIMEOUT_MS;
  return {
    s3: bounded(s3, 's3', ms, observe),
    dynamoBase: bounded(dynamoBase, 'dynamodb', ms, observe),
    dynamo: bounded(dynamo, 'dynamodb', ms, observe),
    sqs: bounded(sqs, 'sqs', ms, observe),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.dynamoBase.destroy();
  clients.sqs.destroy();
}
