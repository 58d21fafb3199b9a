import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, onAuthError, onKeyChange, saveKey, storedKey } from '../api.client';
import { describeError } from '../error-text';
import { href, navigate } from '../router';
import { KeyForm } from './key-form';

const NAV: { section: string; label: string; shortcut: string }[] = [
  { section: 'sources', label: 'Sources', shortcut: 's' },
  { section: 'entities', label: 'Entity timeline', shortcut: 'e' },
  { section: 'events', label: 'Event', shortcut: 'v' },
  { section: 'replays', label: 'Replays', shortcut: 'r' },
  { section: 'aggregates', label: 'Aggregates', shortcut: 'a' },
];

/** Single-key shortcuts (outside text fields): s, e, v, r, a switch pages; / focuses the first field. */
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      const nav = NAV.find((n) => n.shortcut === e.key);
      if (nav) {
        e.preventDefault();
        navigate([nav.section]);
      } else if (e.key === '/') {
        const field = document.querySelector<HTMLElement>('main input, main select');
        if (field) {
          e.preventDefault();
          field.focus();
        }
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}

function KeyStatus() {
  const [key, setKey] = useState(storedKey());
  const [open, setOpen] = useState(false);
  useEffect(() => onKeyChange((k) => (setKey(k), setOpen(false))), []);
  if (open) return <KeyForm />;
  return (
    <div class="key-status">
      {key ? (
        <>
          <span>API key set</span>
          <button type="button" onClick={() => setOpen(true)}>
            Change
          </button>
          <button type="button" onClick={() => saveKey(null)}>
            Forget
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Enter API key
        </button>
      )}
    </div>
  );
}

/** The last 401/403 in plain words, with the key form; gone once another key is entered. */
function AuthBanner() {
  const [error, setError] = useState<ApiError>();
  useEffect(() => onAuthError(setError), []);
  useEffect(() => onKeyChange(() => setError(undefined)), []);
  if (!error) return null;
  const e = describeError(error);
  return (
    <div class="error" role="alert">
      <strong>{e.title}</strong>
      <p>{e.text}</p>
      <KeyForm prompt="Enter an API key" />
    </div>
  );
}

export function Layout({ section, children }: { section: string; children: ComponentChildren }) {
  useShortcuts();
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header>
        <a class="brand" href={href(['sources'])}>
          pipescope
        </a>
        <nav aria-label="Pages">
          {NAV.map((n) => (
            <a
              key={n.section}
              href={href([n.section])}
              aria-current={n.section === section ? 'page' : undefined}
              title={`${n.label} (key ${n.shortcut})`}
            >
              {n.label}
            </a>
          ))}
        </nav>
        <KeyStatus />
      </header>
      <main id="main" tabIndex={-1}>
        <AuthBanner />
        {children}
      </main>
      <footer>
        Keys: <kbd>s</kbd> sources · <kbd>e</kbd> entity · <kbd>v</kbd> event · <kbd>r</kbd> replays ·{' '}
        <kbd>a</kbd> aggregates · <kbd>/</kbd> first field. Times are UTC.
      </footer>
    </>
  );
}
