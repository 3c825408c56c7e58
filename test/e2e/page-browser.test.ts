import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { expectIdentity, readReport, type ReportJson } from '../support/files.js';

/** Debian's chromium (`.ci/run` installs it when missing); playwright-core downloads no browser. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Seen {
  readonly errors: string[];
  readonly requests: string[];
  /** data-key -> data-value of every keyed number on the page. */
  readonly keyed: Record<string, number>;
  /** Table id -> its body rows, as [row header, ...data-value of the numeric cells]. */
  readonly tables: Record<string, Array<[string, ...number[]]>>;
  readonly svgTitles: string[];
  /** The command that goes live, as shown. */
  readonly command: string;
  /** Printed (print media): tables shown, the navigation hidden, and the PDF's first bytes. */
  readonly print: { readonly hiddenTables: number; readonly navShown: boolean; readonly pdf: string };
}

/** Loads the page from file:// in a fresh profile and reads what a reviewer (or a script) sees. */
async function open(browser: Browser, file: string): Promise<Seen> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // The page has no script: the DOM is read through the browser's own evaluation (allowed with JS off).
  const keyed = await page.$$eval('[data-key]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-key')!, Number(e.getAttribute('data-value'))])));
  const tables = await page.$$eval('table[id]', (els) =>
    Object.fromEntries(
      els.map((t) => [
        t.id,
        [...t.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th')?.textContent ?? '', ...[...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value')))]),
      ]),
    ),
  );
  const svgTitles = await page.$$eval('svg > title', (els) => els.map((e) => e.textContent ?? ''));
  const command = await page.$eval('pre.cmd', (e) => e.textContent ?? '');
  await page.emulateMedia({ media: 'print' });
  const hiddenTables = await page.$$eval('table', (els) => els.filter((t) => t.getBoundingClientRect().height === 0).length);
  const navShown = await page.$eval('nav', (e) => e.getBoundingClientRect().height > 0);
  const pdf = (await page.pdf({ format: 'A4' })).subarray(0, 5).toString();
  await context.close();
  return { errors, requests, keyed, tables: tables as Seen['tables'], svgTitles, command, print: { hiddenTables, navShown, pdf } };
}

const sum = (rows: Array<[string, ...number[]]>, column: number) => rows.reduce((a, r) => a + (r[column] as number), 0);

describe('the dry run page in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    // playwright-core gives every launch a fresh profile (its own --user-data-dir in a temp directory).
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the sample archive with no console error and no request, and shows report.json numbers', async () => {
    const state = tempDir();
    const run = await runCli(['replay', 'samples/segment-logs', '--dry-run', '--state', state]);
    expect(run.code).toBe(3);
    const page = join(state, 'report.html');
    expect(run.stdout).toContain(page);
    expect(statSync(page).size).toBeLessThan(2 << 20);
    const report = readReport(state) as ReportJson & { estimatedSeconds: number; topPurchases: Array<{ name: string; dataPoints: number }>; requests: { kept: number } };
    expectIdentity(report);
    const seen = await open(browser, page);
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([pathToFileURL(page).href]);
    const r = report.records!;
    expect(seen.keyed['records.read']).toBe(r.read);
    expect(seen.keyed['records.sent']).toBe(r.sent);
    expect(seen.keyed['records.rejected']).toBe(r.rejected);
    for (const [reason, n] of Object.entries(r.skipped)) expect(seen.keyed[`records.skipped.${reason}`]).toBe(n);
    // The fates on the page add up to the records read, as report.json's do.
    expect(sum(seen.tables['fates']!, 1)).toBe(r.read);
    expect(seen.keyed['dataPoints']).toBe(report.dataPoints);
    for (const kind of ['attributes', 'events', 'purchases'] as const) expect(seen.keyed[`objects.${kind}`]).toBe(report.objects![kind]);
    expect(seen.keyed['requests.sent']).toBe(report.requests.sent);
    expect(seen.keyed['requests.kept']).toBe(report.requests.kept);
    expect(seen.keyed['estimatedSeconds']).toBe(report.estimatedSeconds);
    expect(seen.tables['top-events']).toEqual(report.topEvents!.map((p) => [p.name, p.dataPoints]));
    expect(seen.tables['top-purchases']).toEqual(report.topPurchases.map((p) => [p.name, p.dataPoints]));
    expect(seen.tables['top-attributes']).toEqual(report.topAttributes!.map((p) => [p.name, p.dataPoints]));
    // Over time: every record in one bucket or among those without a time; sent records and data points add up too.
    const series = seen.tables['series']!;
    expect(sum(series, 1) + (seen.keyed['series.untimed'] ?? 0)).toBe(r.read);
    expect(sum(series, 2)).toBe(r.sent);
    expect(sum(series, 3)).toBe(report.dataPoints);
    // Charts carry titles (assistive technology), the field table and the go-live command are there.
    expect(seen.svgTitles).toEqual(expect.arrayContaining(['Records by fate', 'Data points by event name']));
    expect(seen.tables['fields-mapped']!.length).toBeGreaterThan(0);
    expect(seen.tables['fields-dropped']!.length).toBeGreaterThan(0);
    expect(seen.command).toMatch(/^npx segment-braze replay samples\/segment-logs --endpoint /);
    expect(seen.command).not.toMatch(/--dry-run|--state/);
    // Printed to PDF: every table is there, the in-page navigation is not.
    expect(seen.print).toEqual({ hiddenTables: 0, navShown: false, pdf: '%PDF-' });
  });

  it('renders a delete dry run', async () => {
    const state = tempDir();
    const run = await runCli(['delete', 'samples/delete-ids.txt', '--dry-run', '--state', state, '--yes']);
    expect([0, 3]).toContain(run.code);
    const report = readReport(state);
    const seen = await open(browser, join(state, 'report.html'));
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toHaveLength(1);
    expect(seen.keyed['ids.read']).toBe(report.ids!.read);
    expect(seen.keyed['ids.deleted']).toBe(report.ids!.deleted);
    expect(sum(seen.tables['fates']!, 1)).toBe(report.ids!.read);
  });
});
