import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { SortDir, sortRows, SortValue } from '../sort';

export interface Column<T> {
  key: string;
  label: string;
  render: (row: T) => ComponentChildren;
  /** Makes the column sortable by this value. */
  sort?: (row: T) => SortValue;
  numeric?: boolean;
}

interface Props<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  rowClass?: (row: T) => string | undefined;
  /** Shown instead of an empty table. */
  empty: ComponentChildren;
  testId?: string;
}

/** A table whose sortable headers are buttons (keyboard: Tab to a header, Enter to sort). */
export function DataTable<T>({ caption, columns, rows, rowKey, rowClass, empty, testId }: Props<T>) {
  const [sort, setSort] = useState<{ key: string; dir: SortDir } | undefined>();
  if (rows.length === 0) return <p class="empty">{empty}</p>;
  const column = sort && columns.find((c) => c.key === sort.key);
  const shown = sort && column?.sort ? sortRows(rows, column.sort, sort.dir) : rows;
  const toggle = (key: string) =>
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'desc' }));
  return (
    <div class="table-wrap">
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                class={c.numeric ? 'num' : undefined}
                aria-sort={
                  sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined
                }
              >
                {c.sort ? (
                  <button
                    type="button"
                    class="sort"
                    onClick={() => toggle(c.key)}
                    data-column={c.key}
                    title={`Sort by ${c.label}`}
                  >
                    {c.label}
                    <span aria-hidden="true">
                      {sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={rowKey(row)} class={rowClass?.(row)}>
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : undefined} data-column={c.key}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
