// Validates CloudWatch EMF lines against emf-document.schema.json (written from the specification),
// plus what a static schema cannot say: each directive's dimension keys and metric names must be
// members of the root node holding a dimension value or a metric value, and a document fits in one
// CloudWatch Logs event.
import Ajv2020, { ErrorObject } from 'ajv/dist/2020';
import documentSchema from './emf-document.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(documentSchema);
const validateDocument = ajv.getSchema('urn:pipescope:emf-document')!;

/** 256 KB: the event size the specification's older text states (now 1 MB); stay under both. */
export const MAX_EMF_LINE_BYTES = 256 * 1024;

interface Directive {
  Dimensions: string[][];
  Metrics: { Name: string }[];
}

const messages = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());

/** The problems of one EMF log line; empty when it follows the specification. */
export function emfProblems(line: string): string[] {
  if (Buffer.byteLength(line) > MAX_EMF_LINE_BYTES) return [`line is over ${MAX_EMF_LINE_BYTES} bytes`];
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return ['not JSON'];
  }
  if (!validateDocument(doc)) return messages(validateDocument.errors);
  const directives = (doc as { _aws: { CloudWatchMetrics: Directive[] } })._aws.CloudWatchMetrics;
  const dimensions = new Set(directives.flatMap((d) => d.Dimensions.flat()));
  const metrics = directives.flatMap((d) => d.Metrics.map((m) => m.Name));
  const problems: string[] = [];
  if (new Set(metrics).size !== metrics.length) problems.push('a metric is defined twice');
  for (const name of metrics) if (dimensions.has(name)) problems.push(`${name} is a dimension and a metric`);
  const targets = {
    type: 'object',
    required: [...dimensions, ...metrics],
    properties: Object.fromEntries([
      ...[...dimensions].map((d) => [d, { $ref: 'urn:pipescope:emf-document#/$defs/dimensionValue' }]),
      ...metrics.map((m) => [m, { $ref: 'urn:pipescope:emf-document#/$defs/metricValue' }]),
    ]),
  };
  const validateTargets = ajv.compile(targets);
  if (!validateTargets(doc)) problems.push(...messages(validateTargets.errors));
  return problems;
}
