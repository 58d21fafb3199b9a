import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.client';
import { describeError } from '../error-text';

/** A failure in plain words, with a retry; a 401 or 403 only points at the key prompt above. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const e = describeError(error);
  // The layout asks for the key once, at the top of the page (see AuthBanner).
  if (e.askKey) {
    const why =
      error instanceof ApiError && error.status === 403 ? 'not allowed with this key' : 'needs a valid key';
    return <p class="error-inline">Not shown: {why} (see the top of the page).</p>;
  }
  return (
    <div class="error" role="alert">
      <strong>{e.title}</strong>
      <p>{e.text}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}
