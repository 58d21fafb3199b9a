// Limits on parsed JSON that the parser itself does not enforce: nesting depth (canonical JSON and
// class-transformer recurse, so a deep enough value would overflow the stack) and numbers outside the
// range of a 64-bit float (JSON.parse turns 1e400 into Infinity, which has no canonical form). The
// walk is iterative, so it is safe on any depth, and names the first offending field. Ingest reads
// the bytes themselves too (portable-json.ts); this works on the value, for every other body.
import { pathOf } from './portable-json';

/** Bodies nested deeper than this are refused outright, on every route. */
export const MAX_BODY_DEPTH = 128;

export interface JsonProblem {
  kind: 'depth' | 'number';
  /** The field, e.g. `payload.items[3].price`. */
  field: string;
  message: string;
}

interface Frame {
  value: unknown;
  depth: number;
  parent?: Frame;
  key?: string | number;
}

/** The field a frame stands for, from `root` down. */
function fieldOf(frame: Frame, root: string): string {
  const segments: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) segments.push(f.key);
  return pathOf(root, segments.reverse());
}

/**
 * The first problem of `value` (named from `root`): an object or array nested deeper than `maxDepth`
 * (the value itself is level 1), or, unless `numbers` is false, a number that is not finite.
 */
export function jsonProblem(
  value: unknown,
  maxDepth: number,
  root = '',
  numbers = true,
): JsonProblem | undefined {
  const stack: Frame[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === 'number') {
      if (numbers && !Number.isFinite(v)) {
        const field = fieldOf(frame, root);
        return { kind: 'number', field, message: `${field} is beyond the range of a 64-bit float` };
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (frame.depth > maxDepth) {
      const field = fieldOf(frame, root);
      return { kind: 'depth', field, message: `${field} is nested deeper than ${maxDepth} levels` };
    }
    const depth = frame.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: frame, key: i });
    } else {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push({ value: entries[i][1], depth, parent: frame, key: entries[i][0] });
      }
    }
  }
  return undefined;
}
