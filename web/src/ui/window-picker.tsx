import { useState } from 'preact/hooks';
import { fromLocalInput, Preset, PRESETS, toLocalInput, WindowChoice, windowProblem } from '../time-window';

/** Last 1 h / 24 h / 7 d, or a custom UTC range (at most 31 days). */
export function WindowPicker({
  value,
  onChange,
}: {
  value: WindowChoice;
  onChange: (w: WindowChoice) => void;
}) {
  const custom = !('preset' in value);
  const [open, setOpen] = useState(custom);
  const [from, setFrom] = useState(custom ? toLocalInput(value.from) : '');
  const [to, setTo] = useState(custom ? toLocalInput(value.to) : '');
  const [problem, setProblem] = useState<string>();
  return (
    <div class="window-picker">
      <div role="group" aria-label="Time window">
        {(Object.keys(PRESETS) as Preset[]).map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={'preset' in value && value.preset === p}
            onClick={() => (setOpen(false), onChange({ preset: p }))}
          >
            Last {p.replace('h', ' h').replace('d', ' d')}
          </button>
        ))}
        <button type="button" aria-pressed={custom} aria-expanded={open} onClick={() => setOpen(!open)}>
          Custom…
        </button>
      </div>
      {open && (
        <form
          class="custom-window"
          onSubmit={(e) => {
            e.preventDefault();
            const f = fromLocalInput(from);
            const t = fromLocalInput(to);
            const p = windowProblem(f, t);
            setProblem(p);
            if (!p) onChange({ from: f, to: t });
          }}
        >
          <label>
            From (UTC){' '}
            <input
              type="datetime-local"
              value={from}
              onInput={(e) => setFrom(e.currentTarget.value)}
              required
            />
          </label>
          <label>
            To (UTC){' '}
            <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
          </label>
          <button type="submit">Apply</button>
          {problem && (
            <span class="field-error" role="alert">
              {problem}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
