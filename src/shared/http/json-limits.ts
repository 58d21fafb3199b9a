// Limits on parsed JSON that the parser itself does not enforce: nesting depth (canonical JSON and
// class-transformer recurse, so a deep enough body would overflow the stack) and numbers outside the
// IEEE-754 double range (JSON.parse turns 1e400 into Infinity, which has no canonical form). The walk
// is iterative, so it is safe on any depth, and names the first offending field.

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

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function pathOf(frame: Frame, root: string): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) {
    const key = f.key;
    parts.push(
      typeof key === 'number' ? `[${key}]` : IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`,
    );
  }
  const path = parts.reverse().join('');
  if (root === '') return path.startsWith('.') ? path.slice(1) : path || '(body)';
  return `${root}${path}`;
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
        const field = pathOf(frame, root);
        return { kind: 'number', field, message: `${field} is outside the range of an IEEE-754 double` };
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (frame.depth > maxDepth) {
      const field = pathOf(frame, root);
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
