import { SetMetadata } from '@nestjs/common';
import type { ErrorCode } from '../errors/app-error';

export const API_ERRORS_KEY = 'pipescope:api-errors';

/**
 * The error codes a route (or every route of a controller) can answer with, beyond those the
 * OpenAPI document adds by itself (openapi.document.ts): key errors and STORAGE.UNAVAILABLE on keyed
 * routes, body errors on POST. Each becomes a documented response with the error envelope.
 */
export const ApiErrors = (...codes: ErrorCode[]) => SetMetadata(API_ERRORS_KEY, codes);
