// Reconcile through the API against the emulators: raw objects ingest stored but never indexed are
// found and, on repair, indexed exactly once; deleted and tampered raw objects are reported; retries
// that left unreferenced objects are listed as such; a job resumes from its checkpoint.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { reconcileKeys } from '../../src/shared/aws/table-keys';
import { DynamoTable } from '../../src/shared/aws/dynamo-table';
import { AWS_CLIENTS } from '../../src/shared/aws/aws.module';
import type { AwsClients } from '../../src/shared/aws/aws-clients';
import { RawStore } from '../../src/shared/raw/raw-store';
import { emptyCounts } from '../../src/reconcile/reconcile-job-store';
import { singlePartition } from '../../src/ingest/raw-keys';
import { wireEvent, WireEvent } from '../support/factories';
import { allFindings, Body, orphanBatch, orphanSingle, waitForReconcile } from '../support/reconcile';
import { auth, startTestApp, TestApp } from '../support/test-app';

const WINDOW = () => ({
  from: new Date(Date.now() - 2 * 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
});

describe('reconcile', () => {
  let t: TestApp;
  let raw: RawStore;
  const source = `recon-${randomBytes(3).toString('hex')}`;

  const ingest = async (e: unknown, status = 201): Promise<Body> =>
    (
      await t
        .http()
        .post('/ingest')
        .set(auth('producer'))
        .set('content-type', 'application/json')
        .send(typeof e === 'string' ? e : JSON.stringify(e))
        .expect(status)
    ).body as Body;

  const start = async (body: Record<string, unknown>): Promise<Body> => {
    const res = await t
      .http()
      .post('/admin/reconcile')
      .set(auth('operator'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ ...WINDOW(), ...body }))
      .expect(202);
    expect(res.headers.location).toBe(`/admin/reconcile/${res.body.reconcile_id}`);
    return waitForReconcile(t, res.body.reconcile_id as string);
  };

  const event = (id: string): Promise<Body> =>
    t
      .http()
      .get(`/events/${id}`)
      .set(auth('investigator'))
      .then((r) => r.body as Body);

  const accepted = async (of = source): Promise<number> => {
    const res = await t
      .http()
      .get('/stats')
      .query({ source: of, ...WINDOW() })
      .set(auth('investigator'))
      .expect(200);
    return (res.body.rows as Body[]).reduce((n, row) => n + (row.accepted as number), 0);
  };

  beforeAll(async () => {
    t = await startTestApp('reconcile', {
      PROCESSOR_ENABLED: 'false',
      RECONCILE_SETTLE_MS: '0',
      RECONCILE_POLL_MS: '200',
    });
    raw = t.app.get(RawStore);
  });
  afterAll(() => t.close());

  describe('a drifted store', () => {
    const orphans: { event_id: string; event: WireEvent; s3_key: string }[] = [];
    let deleted: string;
    let tampered: string;
    let statsBefore: number;
    let forgedKey: string;
    let forgedIds: string[];

    beforeAll(async () => {
      // Normal traffic: indexed and counted. Its received hour is where the orphans' events occurred,
      // so the source is known for that hour even where the emulator cannot list S3 folders.
      const first = await ingest(wireEvent({ source }));
      const at = first.received_at as string;
      const normal = [first, await ingest(wireEvent({ source, occurred_at: at }))];
      // A retry sent reformatted (same event, other bytes) and an idempotency key reused with another
      // payload (a conflict). Ingest keeps neither under raw/ (a repeat's object is swept, a conflict's
      // body goes to rejected/ only), so a process that died before its sweep is what leaves one: the
      // same bytes written as ingest writes them, the index pointing elsewhere.
      const retried = wireEvent({ source, occurred_at: at });
      await ingest(retried);
      const reformatted = JSON.stringify(retried, null, 2);
      await ingest(reformatted, 200);
      await orphanSingle(raw, retried, reformatted);
      const keyed = wireEvent({
        source,
        occurred_at: at,
        idempotency_key: `k-${randomBytes(4).toString('hex')}`,
      });
      await ingest(keyed);
      const conflicting = { ...keyed, payload: { changed: true } };
      await ingest(conflicting, 409);
      await orphanSingle(raw, conflicting);
      // The app "died" between the raw write and the index claim: one single event, a batch of two.
      const lone = wireEvent({ source, occurred_at: at });
      orphans.push({ ...(await orphanSingle(raw, lone)), event: lone });
      const pair = [wireEvent({ source, occurred_at: at }), wireEvent({ source, occurred_at: at })];
      (await orphanBatch(raw, pair)).forEach((o, i) => orphans.push({ ...o, event: pair[i] }));
      // A source whose only event ever is such an orphan: known from its raw/source= folder alone.
      const stranger = wireEvent({ source: `${source}-new`, occurred_at: at });
      orphans.push({ ...(await orphanSingle(raw, stranger)), event: stranger });
      // An unindexed batch object changed after it was stored: never to be trusted, nor indexed.
      const forged = [wireEvent({ source, occurred_at: at }), wireEvent({ source, occurred_at: at })];
      const forgedMembers = await orphanBatch(raw, forged);
      const [forgedMember] = forgedMembers;
      forgedIds = forgedMembers.map((m) => m.event_id);
      const body = (await raw.get(forgedMember.s3_key)).toString().replace('"n":', '"n":-');
      await raw.put(forgedMember.s3_key, Buffer.from(body), 'application/x-ndjson');
      forgedKey = forgedMember.s3_key;
      // Something ingest never writes, left in a raw folder by hand.
      await raw.put(
        `${singlePartition(source, at.slice(0, 13))}notes.txt`,
        Buffer.from('hello'),
        'text/plain',
      );
      // One raw object lost, one rewritten with another payload.
      deleted = normal[0].event_id as string;
      tampered = normal[1].event_id as string;
      const clients = t.app.get<AwsClients>(AWS_CLIENTS);
      await clients.s3.send(
        new DeleteObjectCommand({ Bucket: t.env.PIPESCOPE_BUCKET, Key: normal[0].s3_key as string }),
      );
      const stored = (await event(tampered)).raw as string;
      await raw.put(
        normal[1].s3_key as string,
        Buffer.from(stored.replace(/"n":\d+/, '"n":-1')),
        'application/json',
      );
      statsBefore = await accepted();
    });

    it('reports each kind of drift in a dry run and changes nothing', async () => {
      const job = await start({ reason: 'nightly check' });
      expect(job).toMatchObject({ status: 'completed', repair: false, progress: 1, reason: 'nightly check' });
      expect(job.counts).toMatchObject({
        unindexed: 4,
        recovered: 0,
        missing_raw: 1,
        corrupt_raw: 1,
        unreferenced: 2,
        unreadable: 2,
      });
      expect(job.problems).toBe(8);
      const unindexed = await allFindings(t, job.reconcile_id as string, 'unindexed');
      expect(unindexed.map((f) => f.event_id).sort()).toEqual(orphans.map((o) => o.event_id).sort());
      expect(unindexed.every((f) => f.recovered_at === undefined && f.source.startsWith(source))).toBe(true);
      const broken = await allFindings(t, job.reconcile_id as string);
      expect(broken.find((f) => f.kind === 'missing_raw')).toMatchObject({ event_id: deleted });
      expect(broken.find((f) => f.kind === 'corrupt_raw')).toMatchObject({
        event_id: tampered,
        detail: expect.stringContaining('payload_sha256 differs'),
      });
      expect(
        broken
          .filter((f) => f.kind === 'unreferenced')
          .map((f) => f.detail)
          .sort(),
      ).toEqual(['conflict', 'duplicate']);
      expect(broken.filter((f) => f.kind === 'unreadable')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            s3_key: expect.stringMatching(/notes\.txt$/),
            detail: 'not a key ingest writes',
          }),
          expect.objectContaining({
            s3_key: forgedKey,
            detail: expect.stringMatching(/changed after ingest stored/),
          }),
        ]),
      );
      const metrics = await t.http().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/pipescope_reconcile_findings_total\{kind="missing_raw"\} [1-9]/);
      expect(metrics.text).toMatch(/pipescope_reconcile_last_findings\{kind="unindexed"\} 4/);
      await t.http().get(`/events/${orphans[0].event_id}`).set(auth('investigator')).expect(404);
      expect(await accepted()).toBe(statsBefore);
    });

    it('indexes the unindexed events on repair, exactly as ingest would have, and counts them', async () => {
      const job = await start({ repair: true });
      expect(job.counts).toMatchObject({
        unindexed: 4,
        recovered: 4,
        missing_raw: 1,
        corrupt_raw: 1,
        unreferenced: 2,
      });
      expect(job.problems).toBe(4);
      for (const o of orphans) {
        const e = await event(o.event_id);
        expect(e).toMatchObject({
          event_id: o.event_id,
          source: o.event.source,
          entity_id: o.event.entity_id,
          s3_key: o.s3_key,
          recovered_at: expect.any(String),
          request_id: `reconcile:${job.reconcile_id}`,
        });
        expect(JSON.parse(e.raw as string)).toEqual(o.event);
      }
      expect(await accepted()).toBe(statsBefore + 3);
      expect(await accepted(`${source}-new`)).toBe(1);
      for (const id of forgedIds) await t.http().get(`/events/${id}`).set(auth('investigator')).expect(404);
    });

    it('changes nothing on a second repair', async () => {
      const before = await Promise.all(orphans.map((o) => event(o.event_id)));
      const job = await start({ repair: true });
      expect(job.counts).toMatchObject({
        unindexed: 0,
        recovered: 0,
        missing_raw: 1,
        corrupt_raw: 1,
        unreferenced: 2,
      });
      expect(await Promise.all(orphans.map((o) => event(o.event_id)))).toEqual(before);
      expect(await accepted()).toBe(statsBefore + 3);
    });

    it('narrows a job to a prefix', async () => {
      const job = await start({ prefix: 'raw/batches/' });
      // Only the batch orphans' folder, and only index items pointing into batch objects.
      expect(job.counts).toMatchObject({ unindexed: 0, missing_raw: 0, corrupt_raw: 0, unreferenced: 0 });
      expect(job.counts.members).toBe(2);
      expect(job.counts.index_items).toBe(2);
    });
  });

  it('resumes a job from its checkpoint after its runner died, not from the start', async () => {
    const lone = wireEvent({ source: `${source}-resume` });
    const hour = ((await ingest(lone)).received_at as string).slice(0, 13);
    await orphanSingle(raw, { ...lone, occurred_at: `${hour}:00:00.000Z`, payload: { other: 1 } });
    const table = t.app.get(DynamoTable);
    const id = '00000000-0000-4000-8000-' + randomBytes(6).toString('hex');
    const from = `${hour}:00:00.000Z`;
    // As a runner leaves a job when it dies: running, its lease run out, the raw side of the only hour
    // checkpointed as done (counts included), the index side still to do.
    await table.put({
      ...reconcileKeys.job(id),
      reconcile_id: id,
      status: 'running',
      repair: false,
      from,
      to: `${hour}:59:59.999Z`,
      prefix: `raw/source=${source}-resume/`,
      requested_by: 'test',
      created_at: from,
      started_at: from,
      hours_total: 1,
      hours_done: 0,
      cursor: { hour, phase: 'index' },
      counts: { ...emptyCounts(), objects: 40, members: 40 },
      owner: 'dead-runner',
      lease_until: Date.now() - 1,
      gsi2pk: reconcileKeys.active,
      gsi2sk: `${from}#${id}`,
    });
    const job = await waitForReconcile(t, id);
    // The orphan sits in the raw side it did not redo; the index side checked the one event.
    expect(job.counts).toMatchObject({ objects: 40, members: 40, index_items: 1, unindexed: 0 });
    expect(job.status).toBe('completed');
  });

  it('refuses bad requests with the field named, and other roles', async () => {
    const post = (body: unknown, role: 'operator' | 'investigator' = 'operator') =>
      t
        .http()
        .post('/admin/reconcile')
        .set(auth(role))
        .set('content-type', 'application/json')
        .send(JSON.stringify(body));
    await post({}, 'investigator').expect(403);
    const bad = await post({ from: 'yesterday' }).expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'from' })]);
    await post({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }).expect(400);
    await post({ prefix: 'rejected/' }).expect(400);
    await post({ repair: 'yes' }).expect(400);
    await post({ extra: 1 }).expect(400);
    const wide = await post({ from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }).expect(400);
    expect(wide.body.error.code).toBe('RECONCILE.WINDOW_TOO_WIDE');
    const missing = await t.http().get('/admin/reconcile/not-a-job').set(auth('operator')).expect(404);
    expect(missing.body.error.code).toBe('RECONCILE.NOT_FOUND');
    const list = await t.http().get('/admin/reconcile').query({ limit: 2 }).set(auth('operator')).expect(200);
    expect(list.body.items.length).toBeLessThanOrEqual(2);
    const id = list.body.items[0].reconcile_id as string;
    await t
      .http()
      .get(`/admin/reconcile/${id}/findings`)
      .query({ kind: 'bogus' })
      .set(auth('operator'))
      .expect(400);
  });

  it('starts a dry run over the last day when the body is empty', async () => {
    const res = await t.http().post('/admin/reconcile').set(auth('operator')).expect(202);
    expect(res.body).toMatchObject({ status: 'pending', repair: false, hours_total: 25 });
    await waitForReconcile(t, res.body.reconcile_id as string);
  });
});
