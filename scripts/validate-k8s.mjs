// Validates the Kubernetes manifests against the Kubernetes API schemas (kubernetes-models):
// types, required fields, enums and formats of every document. Prints one JSON line per document;
// exits 1 if any is invalid or of a kind it does not know.
//
//   node scripts/validate-k8s.mjs [folder]   (default deploy/k8s)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const folder = resolve(process.argv[2] ?? join(root, 'deploy', 'k8s'));
let failed = false;

for (const file of readdirSync(folder)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(folder, file), 'utf8'))) {
    if (doc.errors.length > 0) {
      failed = true;
      console.log(JSON.stringify({ file, ok: false, error: doc.errors.map((e) => e.message).join('; ') }));
      continue;
    }
    const manifest = doc.toJS();
    const { apiVersion, kind } = manifest ?? {};
    // Kustomize's own file is not a Kubernetes API object.
    if (apiVersion?.startsWith('kustomize.config.k8s.io/')) continue;
    const result = { file, apiVersion, kind, name: manifest?.metadata?.name };
    try {
      const models = await import(`kubernetes-models/${apiVersion}`);
      const Model = models[kind];
      if (!Model) throw new Error(`unknown kind ${kind} in ${apiVersion}`);
      new Model(manifest).validate();
      console.log(JSON.stringify({ ...result, ok: true }));
    } catch (err) {
      failed = true;
      console.log(JSON.stringify({ ...result, ok: false, error: err.message }));
    }
  }
}
process.exit(failed ? 1 : 0);
