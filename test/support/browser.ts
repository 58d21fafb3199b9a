// A real browser for the console tests: Debian's chromium (installed by .ci/run when missing), driven
// by playwright-core, headless, with a fresh profile and nothing that talks to the network by itself.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'pipescope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did that a test should see: errors, and every URL it asked for. */
export interface Watched {
  requests: string[];
  errors: string[];
}

export function watch(page: Page): Watched {
  const seen: Watched = { requests: [], errors: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs every non-2xx answer; the tests provoke 401s on purpose.
    if (
      m.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
    ) {
      seen.errors.push(`console: ${m.text()}`);
    }
  });
  return seen;
}

/** The cells of a `data-testid` table, one object per body row, keyed by column. */
export async function tableRows(page: Page, testId: string): Promise<Record<string, string>[]> {
  const rows = page.locator(`table[data-testid="${testId}"] tbody tr`);
  await rows.first().waitFor();
  return rows.evaluateAll((trs) =>
    trs.map((tr) =>
      Object.fromEntries(
        [...tr.querySelectorAll('td')].map((td, i) => [
          td.dataset.column ?? String(i),
          (td.textContent ?? '').trim(),
        ]),
      ),
    ),
  );
}
