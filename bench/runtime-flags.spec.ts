// The service runs with the V8 flags in package.json config.node_flags, wherever it runs: npm start,
// the Dockerfile's CMD (the image Fargate and Kubernetes run), and every bench, whose figures are only
// the service's if its runtime is.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  config: { node_flags: string };
  scripts: Record<string, string>;
};
const flags = pkg.config.node_flags.split(/\s+/).filter(Boolean);
const FLAGS_VAR = '$npm_package_config_node_flags';

describe('the runtime flags', () => {
  it('are flags this Node accepts', () => {
    expect(flags).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    const run = spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('are given to npm start and to every bench that runs node', () => {
    expect(pkg.scripts.start).toBe(`node ${FLAGS_VAR} dist/src/main.js`);
    const runs = Object.entries(pkg.scripts)
      .filter(([name]) => name === 'bench' || name.startsWith('bench:'))
      .flatMap(([, script]) => script.split('&&').map((s) => s.trim()))
      .filter((s) => s.startsWith('node '));
    expect(runs.length).toBeGreaterThanOrEqual(6);
    for (const run of runs) expect(run.startsWith(`node ${FLAGS_VAR} `)).toBe(true);
  });

  it("are in the image's command", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...flags, 'dist/src/main.js']);
  });
});
