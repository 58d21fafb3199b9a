// The IAM grant lists against the code they are derived from: every SDK command src sends is
// accounted for, every grant names the commands that need it, the S3 key builders write under the
// granted prefixes, and docs/operations.md shows the lists as they are.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchRawKey, rejectedKey, singleRawKey } from '../../src/ingest/raw-keys';
import { lineageKey } from '../../src/processor/lineage';
import { manifestKey, partKey } from '../../src/replay/replay-manifest';
import {
  API_GRANTS,
  COMMAND_ACTIONS,
  Grant,
  grantsMarkdown,
  PREFIX,
  PROCESSOR_GRANTS,
  PROVISIONING_COMMANDS,
} from '../lib/permissions';

const SRC = join(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `new XCommand(` in production code, emulator supervision excluded (it sends no SDK command). */
function commandsSent(): Set<string> {
  const found = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/new (\w+Command)\(/g)) found.add(m[1]);
  }
  return found;
}

const allGrants: [string, Grant[]][] = [
  ['api', API_GRANTS],
  ['processor', PROCESSOR_GRANTS],
];

describe('least-privilege grant lists', () => {
  it('account for every SDK command the code sends', () => {
    const sent = commandsSent();
    expect(sent.size).toBeGreaterThan(10);
    const unknown = [...sent].filter((c) => !(c in COMMAND_ACTIONS) && !PROVISIONING_COMMANDS.includes(c));
    expect(unknown).toEqual([]);
    // ... and list no command that nothing sends any more.
    for (const c of [...Object.keys(COMMAND_ACTIONS), ...PROVISIONING_COMMANDS]) expect(sent).toContain(c);
  });

  it('grant only actions that the commands they name need', () => {
    for (const [role, grants] of allGrants) {
      for (const g of grants) {
        const sdkCalls = g.calls.filter((c) => c.endsWith('Command'));
        if (sdkCalls.length === 0) {
          // Lambda's event source mapping polls with the function's role (AWS-documented actions).
          expect({ role, calls: g.calls }).toEqual({ role, calls: ['Lambda event source mapping'] });
          continue;
        }
        const needed = new Set(sdkCalls.flatMap((c) => COMMAND_ACTIONS[c] ?? []));
        for (const action of g.actions)
          expect({ role, action, needed: needed.has(action) }).toMatchObject({ needed: true });
        expect(g.why.length).toBeGreaterThan(10);
      }
    }
  });

  it('never grant deletes, scans or a wildcard action, but the one delete of unreferenced raw bytes', () => {
    for (const [role, grants] of allGrants) {
      for (const g of grants) {
        for (const action of g.actions) {
          // Ingest removes raw bytes it wrote itself that no index item points to (docs/ingest.md).
          if (role === 'api' && action === 's3:DeleteObject') {
            expect(g.on).toEqual([{ objects: 'raw' }]);
            continue;
          }
          expect(action).not.toMatch(/\*|Delete(Object|Item|Table|Bucket|Queue)|Scan|Purge/);
        }
      }
    }
  });

  it('cover every key prefix the code writes to S3', () => {
    const at = '2026-11-27T10:11:12.000Z';
    const written = {
      raw: [singleRawKey('orders', at, 'e1', Buffer.from('{}')), batchRawKey(at, Buffer.from('x'))],
      rejected: [rejectedKey(at, 'r1')],
      replays: [manifestKey('rp1'), partKey('rp1', 0)],
      lineage: [lineageKey('AGG#e@2026-11-27T10', 1)],
    };
    for (const [prefix, keys] of Object.entries(written)) {
      for (const key of keys) expect(key.startsWith(PREFIX[prefix as keyof typeof PREFIX])).toBe(true);
    }
    const putPrefixes = (grants: Grant[]) =>
      grants
        .filter((g) => g.actions.includes('s3:PutObject'))
        .flatMap((g) => g.on.flatMap((t) => ('objects' in t ? [t.objects] : [])));
    expect(putPrefixes(API_GRANTS).sort()).toEqual(['raw', 'rejected', 'replays']);
    expect(putPrefixes(PROCESSOR_GRANTS)).toEqual(['lineage']);
  });

  it('are what docs/operations.md shows', () => {
    const doc = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');
    for (const [, grants] of allGrants) expect(doc).toContain(grantsMarkdown(grants));
  });
});
