// Small shared pieces: links to events and sources, health badges, definition lists.
import type { ComponentChildren } from 'preact';
import type { Health } from '../api.types';
import { href } from '../router';

export const EventLink = ({ id }: { id: string }) => (
  <a class="mono" href={href(['events', id])}>
    {id}
  </a>
);

export const HealthBadge = ({ health }: { health: Health }) => (
  <span class={`health health-${health}`} data-health={health}>
    {health}
  </span>
);

export function Fields({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {rows.map(([k, v]) => (
        <div key={k} data-field={k}>
          <dt>{k}</dt>
          <dd>{v ?? '–'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section aria-labelledby={id ? `${id}-h` : undefined} id={id}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {children}
    </section>
  );
}
