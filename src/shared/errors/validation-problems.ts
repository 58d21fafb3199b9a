import type { ValidationError } from 'class-validator';
import type { FieldProblem } from './app-error';

/** class-validator errors as `{ field, message }` problems, nested fields dotted, unknown fields named. */
export function problemsOf(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = `${prefix}${e.property}`;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? `unknown field ${e.property}` : message,
    }));
    return [...own, ...problemsOf(e.children ?? [], `${field}.`)];
  });
}
