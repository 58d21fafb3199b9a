import type { ValidationError } from 'class-validator';
import type { FieldProblem } from './app-error';

/**
 * class-validator errors as `{ field, message }` problems: one per field, so a missing field is not
 * reported once per rule; nested fields dotted; unknown fields named.
 */
export function problemsOf(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = `${prefix}${e.property}`;
    const rule = firstRule(e.constraints ?? {});
    const own = rule
      ? [{ field, message: rule[0] === 'whitelistValidation' ? `unknown field ${e.property}` : rule[1] }]
      : [];
    return [...own, ...problemsOf(e.children ?? [], `${field}.`)];
  });
}

/**
 * The failed rule written first on the property. class-validator runs IsDefined first, then the
 * other decorators bottom-up (the order they are applied in), then nested validation.
 */
function firstRule(constraints: Record<string, string>): [string, string] | undefined {
  const failed = Object.entries(constraints);
  return (
    failed.find(([rule]) => rule === 'isDefined') ??
    failed.filter(([rule]) => rule !== 'nestedValidation').at(-1) ??
    failed[0]
  );
}
