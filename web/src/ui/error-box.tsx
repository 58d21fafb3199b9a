import type { ComponentChildren } from 'preact';
import { describeError } from '../error-text';
import { KeyForm } from './key-form';

/** A failure in plain words; a 401 or 403 offers to enter another key right there. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const e = describeError(error);
  return (
    <div class="error" role="alert">
      <strong>{e.title}</strong>
      <p>{e.text}</p>
      {e.askKey && <KeyForm prompt="Enter an API key" />}
      {retry && !e.askKey && (
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
