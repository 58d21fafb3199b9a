// deploy/k8s: valid against the Kubernetes schemas (scripts/validate-k8s.mjs, kubernetes-models), wired
// together (names, selectors, roles), hardened, configured with values the app accepts, and probing
// routes the app really serves.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, IService } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { ENV_KEYS, validateEnv } from '../../src/shared/config/env.config';
import { API_KEYS, startTestApp, TestApp } from '../support/test-app';

const ROOT = join(__dirname, '../..');
const K8S = join(ROOT, 'deploy/k8s');

// Types only (erased): kubernetes-models itself is ESM, loaded by the validation script.
type Manifest = { apiVersion: string; kind: string; metadata: { name: string } };
type Deployment = IDeployment & Manifest;
const manifests: Manifest[] = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(readFileSync(join(K8S, f), 'utf8')).map((d) => d.toJS() as Manifest));
function find<T>(kind: string, name: string): T & Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0] as T & Manifest;
}
const validate = (folder: string) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts/validate-k8s.mjs'), folder], { encoding: 'utf8' });

const api = () => find<IDeployment>('Deployment', 'pipescope-api');
const consumer = () => find<IDeployment>('Deployment', 'pipescope-consumer');
const containerOf = (d: Deployment): IContainer => d.spec!.template.spec!.containers[0];
const envValue = (c: IContainer, name: string) => c.env?.find((e) => e.name === name);

describe('Kubernetes manifests', () => {
  it('are valid against the Kubernetes schemas', () => {
    const out = validate(K8S);
    const results = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; ok: boolean; error?: string });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(out.status).toBe(0);
    expect(results.map((r) => r.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    const kustomization = readFileSync(join(K8S, 'kustomization.yaml'), 'utf8');
    for (const f of readdirSync(K8S).filter((f) => f !== 'kustomization.yaml'))
      expect(kustomization).toContain(f);
  });

  it('fails validation on a wrong type or a missing required field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipescope-k8s-'));
    try {
      copyFileSync(join(K8S, 'hpa.yaml'), join(dir, 'hpa.yaml'));
      writeFileSync(
        join(dir, 'deployment.yaml'),
        readFileSync(join(K8S, 'deployment-api.yaml'), 'utf8').replace('replicas: 2', "replicas: 'two'"),
      );
      const out = validate(dir);
      expect(out.status).toBe(1);
      expect(out.stdout).toMatch(/replicas must be integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('splits the roles: API pods do not consume, consumer pods do, traffic goes to API pods only', () => {
    expect(envValue(containerOf(api()), 'PROCESSOR_ENABLED')?.value).toBe('false');
    expect(envValue(containerOf(consumer()), 'PROCESSOR_ENABLED')?.value).toBe('true');
    const selector = find<IService>('Service', 'pipescope').spec!.selector!;
    const labels = (d: Deployment) => d.spec!.template.metadata!.labels!;
    expect(labels(api())).toMatchObject(selector);
    expect(labels(consumer())).not.toMatchObject(selector);
    expect(
      find<IPodDisruptionBudget>('PodDisruptionBudget', 'pipescope-api').spec!.selector!.matchLabels,
    ).toEqual(labels(api()));
    expect(
      find<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler', 'pipescope-api').spec.scaleTargetRef,
    ).toMatchObject({
      kind: 'Deployment',
      name: 'pipescope-api',
    });
  });

  it.each(['pipescope-api', 'pipescope-consumer'])('hardens and wires %s', (name) => {
    const d = find<IDeployment>('Deployment', name);
    const pod = d.spec!.template.spec!;
    const c = containerOf(d);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources!.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources!.limits).toMatchObject({ memory: expect.any(String) });
    expect(c.livenessProbe!.httpGet!.path).toBe('/health/live');
    expect(c.readinessProbe!.httpGet!.path).toBe('/health/ready');
    expect(c.startupProbe!.httpGet!.path).toBeDefined();
    expect(pod.serviceAccountName).toBe(find('ServiceAccount', 'pipescope').metadata.name);
    expect(envValue(c, 'API_KEYS')?.valueFrom).toEqual({
      secretKeyRef: { name: 'pipescope-api-keys', key: 'API_KEYS' },
    });
    expect(c.envFrom).toEqual([
      { configMapRef: { name: find('ConfigMap', 'pipescope-config').metadata.name } },
    ]);
  });

  it('configures the app with values it accepts, on the port the probes use', () => {
    const data = find<IConfigMap>('ConfigMap', 'pipescope-config').data!;
    for (const key of Object.keys(data)) expect(ENV_KEYS).toContain(key);
    const env = validateEnv({ ...data, API_KEYS, PROCESSOR_ENABLED: 'false' });
    expect(env.PIPESCOPE_MODE).toBe('aws');
    for (const d of [api(), consumer()]) {
      expect(containerOf(d).ports).toEqual([
        expect.objectContaining({ name: 'http', containerPort: env.PORT }),
      ]);
    }
  });

  describe('probe paths', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('k8s-probes');
    });
    afterAll(() => t.close());

    it('are routes the app serves, healthy against live storage', async () => {
      const probes = [api(), consumer()].flatMap((d) => {
        const c = containerOf(d);
        return [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p!.httpGet!.path!);
      });
      for (const path of new Set(probes)) await t.http().get(path).expect(200);
      await t.http().get('/health/not-a-probe').expect(404);
    });
  });
});
