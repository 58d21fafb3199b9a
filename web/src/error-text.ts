// Turns an API failure into plain words for the page: what happened and what to do next.
import { ApiError } from './api.client';

export interface ErrorText {
  title: string;
  text: string;
  /** True when entering (another) API key is the way forward. */
  askKey: boolean;
}

const STORES: Record<string, string> = {
  s3: 'S3 (where raw events are kept)',
  dynamodb: 'DynamoDB (the event index)',
  sqs: 'SQS (the replay queue)',
};

function fieldProblems(details: unknown): string {
  if (!Array.isArray(details)) return '';
  const parts = details
    .filter(
      (d): d is { field: string; message: string } => typeof d === 'object' && d !== null && 'field' in d,
    )
    .map((d) => `${d.field}: ${d.message}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

export function describeError(err: unknown): ErrorText {
  if (!(err instanceof ApiError)) {
    return {
      title: 'Something went wrong in the console',
      text: String((err as Error)?.message ?? err),
      askKey: false,
    };
  }
  const ref = err.requestId ? ` Request id: ${err.requestId}.` : '';
  switch (err.status) {
    case 0:
      return {
        title: 'The service did not answer',
        text: `No answer from ${location.origin}: is pipescope running? (${err.message})`,
        askKey: false,
      };
    case 401:
      return err.code === 'AUTH.INVALID_KEY'
        ? {
            title: 'The API key was refused',
            text: 'The service does not know this key. Enter a valid key.',
            askKey: true,
          }
        : {
            title: 'An API key is needed',
            text: 'Enter an investigator or operator key to read this.',
            askKey: true,
          };
    case 403:
      return { title: 'This key may not do that', text: err.message, askKey: true };
    case 404:
      return { title: 'Not found', text: err.message, askKey: false };
    case 429:
      return { title: 'Too busy right now', text: `${err.message} Try again shortly.`, askKey: false };
    case 503: {
      const dependency = (err.details as { dependency?: string } | undefined)?.dependency;
      const store = dependency ? (STORES[dependency] ?? dependency) : undefined;
      return {
        title: store ? `${store} is unavailable` : 'The service is not ready',
        text: `${store ? `${store} did not answer in time` : err.message}. Nothing was lost; try again in a moment.${ref}`,
        askKey: false,
      };
    }
    default:
      if (err.status >= 500)
        return { title: 'The service failed', text: `${err.message}${ref}`, askKey: false };
      return {
        title: 'The request was refused',
        text: `${err.message}${fieldProblems(err.details)}`,
        askKey: false,
      };
  }
}
