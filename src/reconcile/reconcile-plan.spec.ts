import {
  hourWindow,
  indexSources,
  inScope,
  mergeSources,
  rawFolders,
  startOf,
  wholeHours,
} from './reconcile-plan';

const H = '2026-05-01T10';

describe('reconcile plan', () => {
  it('widens a window to whole hours', () => {
    expect(wholeHours('2026-05-01T10:20:00.000Z', '2026-05-01T12:05:00.000Z')).toEqual({
      from: '2026-05-01T10:00:00.000Z',
      to: '2026-05-01T12:59:59.999Z',
      hours: ['2026-05-01T10', '2026-05-01T11', '2026-05-01T12'],
    });
    expect(hourWindow(H)).toEqual({ from: '2026-05-01T10:00:00.000Z', to: '2026-05-01T10:59:59.999Z' });
  });

  it("lists an hour's batch folder and each source's folder in key order", () => {
    expect(rawFolders(H, ['orders', 'a-b', 'a'], undefined).map((f) => f.folder)).toEqual([
      'raw/batches/date=2026-05-01/hour=10/',
      'raw/source=a-b/date=2026-05-01/hour=10/',
      'raw/source=a/date=2026-05-01/hour=10/',
      'raw/source=orders/date=2026-05-01/hour=10/',
    ]);
  });

  it('narrows folders to a prefix, listing a narrower prefix inside a folder as given', () => {
    expect(rawFolders(H, ['orders', 'payments'], 'raw/source=orders/')).toEqual([
      {
        folder: 'raw/source=orders/date=2026-05-01/hour=10/',
        listPrefix: 'raw/source=orders/date=2026-05-01/hour=10/',
      },
    ]);
    const narrow = 'raw/source=orders/date=2026-05-01/hour=10/0a';
    expect(rawFolders(H, ['orders'], narrow)).toEqual([
      { folder: 'raw/source=orders/date=2026-05-01/hour=10/', listPrefix: narrow },
    ]);
    expect(rawFolders(H, ['orders'], 'raw/batches/').map((f) => f.folder)).toEqual([
      'raw/batches/date=2026-05-01/hour=10/',
    ]);
    expect(rawFolders(H, ['orders'], 'raw/source=orders/date=2026-05-02/')).toEqual([]);
  });

  it('resumes folders and sources at the checkpoint', () => {
    const at = 'raw/source=b/date=2026-05-01/hour=10/';
    expect(rawFolders(H, ['a', 'b', 'c'], undefined, at).map((f) => f.folder)).toEqual([
      at,
      'raw/source=c/date=2026-05-01/hour=10/',
    ]);
    expect(indexSources(['c', 'a', 'b'], undefined, 'b')).toEqual(['b', 'c']);
  });

  it('reads only the source a prefix pins on the index side, every source otherwise', () => {
    expect(indexSources(['a', 'orders'], 'raw/source=orders/date=2026-05-01/')).toEqual(['orders']);
    expect(indexSources(['orders', 'a'], 'raw/batches/')).toEqual(['a', 'orders']);
    expect(inScope('raw/batches/x.ndjson', 'raw/batches/')).toBe(true);
    expect(inScope('raw/source=a/x.json', 'raw/batches/')).toBe(false);
    expect(inScope('raw/source=a/x.json', undefined)).toBe(true);
  });

  it('merges known sources, dropping the unreadable-source label', () => {
    expect(mergeSources(['b', 'a'], ['a', '~', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('starts at the first hour, or at a checkpoint inside the window', () => {
    const hours = ['2026-05-01T10', '2026-05-01T11'];
    expect(startOf(hours, undefined)).toEqual({ hour: hours[0], phase: 'raw' });
    const cursor = { hour: hours[1], phase: 'index' as const, at: 'orders' };
    expect(startOf(hours, cursor)).toBe(cursor);
    expect(startOf(hours, { hour: '2020-01-01T00', phase: 'raw' })).toEqual({ hour: hours[0], phase: 'raw' });
  });
});
