#!/usr/bin/env node
// node scripts/page-screenshot.mjs [out.png]  (after npm run build; needs /usr/bin/chromium)
//
// Makes the README's picture of the dry run's page: a dry run on samples/segment-logs into a temporary
// state directory, its report.html opened from file:// in headless chromium (driven by playwright-core,
// no network), and the top of the page saved as a PNG (docs/dry-run-page.png by default).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const out = resolve(process.argv[2] ?? join(root, 'docs', 'dry-run-page.png'));
const state = mkdtempSync(join(tmpdir(), 'sb-page-'));
try {
  try {
    execFileSync(process.execPath, [join(root, 'bin', 'segment-braze.js'), 'replay', 'samples/segment-logs', '--dry-run', '--diff', 'none', '--state', state, '--quiet'], { cwd: root, stdio: 'ignore' });
  } catch (error) {
    // Exit 3: the samples hold rejected records on purpose.
    if (error.status !== 3) throw error;
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 1500 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(join(state, 'report.html')).href);
  await page.screenshot({ path: out, fullPage: false });
  await browser.close();
  console.log(out);
} finally {
  rmSync(state, { recursive: true, force: true });
}
