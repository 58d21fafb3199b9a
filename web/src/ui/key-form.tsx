import { useState } from 'preact/hooks';
import { saveKey } from '../api.client';

/** Asks for an API key; it is kept in this tab's session storage only. */
export function KeyForm({ prompt }: { prompt?: string }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="key-form"
      aria-label="API key"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) saveKey(value.trim());
        setValue('');
      }}
    >
      <label for="api-key">{prompt ?? 'API key'}</label>
      <input
        id="api-key"
        name="api-key"
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        placeholder="investigator or operator key"
      />
      <button type="submit">Use key</button>
      <p class="hint">Kept in this browser tab only (session storage); sent as an Authorization header.</p>
    </form>
  );
}
