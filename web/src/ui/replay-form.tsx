import { useState } from 'preact/hooks';
import type { ReplayFilter } from '../api.types';
import { fromLocalInput, toLocalInput } from '../time-window';

export interface ReplayRequest {
  filter: ReplayFilter;
  reason: string;
  rate_per_second?: number;
  max_events?: number;
}

type Selector = 'source' | 'entity_id' | 'event_ids';

interface Props {
  busy: boolean;
  /** The request the plan on screen was made for: Start replays exactly that. */
  planned?: ReplayRequest;
  onPlan: (r: ReplayRequest) => void;
  onStart: (r: ReplayRequest) => void;
}

const num = (s: string): number | undefined => (s.trim() ? Number(s) : undefined);

/** The replay filter and its settings; plan first, then start the very request that was planned. */
export function ReplayForm({ busy, planned, onPlan, onStart }: Props) {
  const [selector, setSelector] = useState<Selector>('source');
  const [value, setValue] = useState('');
  const [type, setType] = useState('');
  const [from, setFrom] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  const [to, setTo] = useState(() => toLocalInput(new Date(Date.now() + 60_000).toISOString()));
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState('100');
  const [max, setMax] = useState('');

  const filter: ReplayFilter =
    selector === 'event_ids'
      ? { event_ids: value.split(/[\s,]+/).filter(Boolean) }
      : { [selector]: value.trim(), from: fromLocalInput(from), to: fromLocalInput(to) };
  if (type.trim()) filter.type = type.trim();
  const request: ReplayRequest = {
    filter,
    reason: reason.trim(),
    rate_per_second: num(rate),
    max_events: num(max),
  };
  const startable = planned !== undefined && JSON.stringify(planned) === JSON.stringify(request);

  return (
    <form
      class="replay-form"
      onSubmit={(e) => {
        e.preventDefault();
        onPlan(request);
      }}
    >
      <fieldset>
        <legend>Select events by</legend>
        {(
          [
            ['source', 'Source (received time)'],
            ['entity_id', 'Entity (occurred time)'],
            ['event_ids', 'Event ids'],
          ] as [Selector, string][]
        ).map(([s, label]) => (
          <label key={s} class="inline">
            <input
              type="radio"
              name="selector"
              value={s}
              checked={selector === s}
              onChange={() => setSelector(s)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      <div class="form-grid">
        <label>
          {selector === 'event_ids'
            ? 'Event ids (space or comma separated)'
            : selector === 'source'
              ? 'Source'
              : 'Entity id'}
          <input
            name="selector-value"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            required
            spellcheck={false}
          />
        </label>
        <label>
          Type (optional)
          <input
            name="type"
            value={type}
            onInput={(e) => setType(e.currentTarget.value)}
            spellcheck={false}
          />
        </label>
        {selector !== 'event_ids' && (
          <>
            <label>
              From (UTC)
              <input
                name="from"
                type="datetime-local"
                value={from}
                onInput={(e) => setFrom(e.currentTarget.value)}
                required
              />
            </label>
            <label>
              To (UTC)
              <input
                name="to"
                type="datetime-local"
                value={to}
                onInput={(e) => setTo(e.currentTarget.value)}
                required
              />
            </label>
          </>
        )}
        <label>
          Rate (events per second)
          <input
            name="rate"
            type="number"
            min={1}
            value={rate}
            onInput={(e) => setRate(e.currentTarget.value)}
          />
        </label>
        <label>
          Max events (optional)
          <input
            name="max-events"
            type="number"
            min={1}
            value={max}
            onInput={(e) => setMax(e.currentTarget.value)}
          />
        </label>
        <label class="wide">
          Reason (kept on the job and in the audit log)
          <input
            name="reason"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            required
            maxLength={1000}
          />
        </label>
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          Plan (dry run)
        </button>
        <button
          type="button"
          class="primary"
          disabled={busy || !startable}
          onClick={() => onStart(request)}
          title={startable ? undefined : 'Plan this request first'}
        >
          Start replay
        </button>
      </div>
    </form>
  );
}
