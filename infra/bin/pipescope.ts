// `npm run infra:synth` / `npm run infra:deploy`: the CDK app. The API image is built by docker from
// the repo's Dockerfile at deploy time (synth only stages its context); the processor's code is the
// production install staged in infra/build/processor by `npm run infra:stage`.
import { App } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imageFromRepo } from '../lib/api-service';
import { buildPipescope } from '../lib/pipescope-app';

/** The repository root: the nearest folder above this file holding the Dockerfile (from bin/ or dist/). */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'Dockerfile'))) {
    if (dirname(dir) === dir) throw new Error('infra: cannot find the repository root (Dockerfile)');
    dir = dirname(dir);
  }
  return dir;
}

const root = repoRoot();
const processorDir = join(root, 'infra', 'build', 'processor');
if (!existsSync(join(processorDir, 'dist', 'src', 'processor', 'processor.lambda.js'))) {
  process.stderr.write(`infra: ${processorDir} is not staged; run \`npm run infra:stage\` first\n`);
  process.exit(1);
}

const app = new App();
buildPipescope(app, {
  apiImage: imageFromRepo(root),
  processorCode: Code.fromAsset(processorDir),
});
app.synth();
