// The one ValidationPipe every controller's DTOs go through (whitelist, unknown fields refused,
// transform). Every problem of a request comes back at once, one entry per field (its first failed
// rule), nested fields dotted (`filter.to`). A DTO class marked @ValidationCode answers with its
// feature's code; any other with REQUEST.VALIDATION_FAILED.
import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { AppError, FieldProblem, validationError } from '../errors/app-error';
import { problemsOf } from '../errors/validation-problems';

type Code = Parameters<typeof validationError>[0];
const CODE = Symbol('validation-code');

/** The code a DTO's validation failures answer with. */
export const ValidationCode =
  (code: Code): ClassDecorator =>
  (target) =>
    Reflect.defineMetadata(CODE, code, target);

export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => validationError('REQUEST.VALIDATION_FAILED', problemsOf(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (err) {
      const code = metadata.metatype && (Reflect.getMetadata(CODE, metadata.metatype) as Code | undefined);
      if (!code || !(err instanceof AppError) || err.code !== 'REQUEST.VALIDATION_FAILED') throw err;
      throw validationError(code, err.details as FieldProblem[]);
    }
  }
}
