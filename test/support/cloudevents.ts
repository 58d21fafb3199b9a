// Validates message bodies against cloudevents.schema.json (written from the CloudEvents 1.0 spec).
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './cloudevents.schema.json';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/** The problems of one body as a CloudEvents 1.0 JSON event; empty when it is one. */
export function cloudEventProblems(body: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return ['not JSON'];
  }
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}
