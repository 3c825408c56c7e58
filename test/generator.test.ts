import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface GenOptions {
  dir: string;
  messages?: number;
  files?: number;
  seed?: number;
  format?: 'ndjson' | 'json' | 'csv';
  gzip?: boolean;
  layout?: 's3' | 'flat';
}
interface GenResult {
  files: string[];
  messages: number;
  bytes: number;
  rawBytes: number;
  counts: Record<string, number>;
}
// Plain-JS script without a declaration file: imported by URL and typed here.
const generatorUrl = new URL('../scripts/generate-archive.mjs', import.meta.url).href;
const { generateArchive } = (await import(generatorUrl)) as { generateArchive: (o: GenOptions) => Promise<GenResult> };

const N = 2000;
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'segment-braze-gen-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function digest(dir: string, files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(dir, f));
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

function readLines(files: string[]): string[] {
  return files.flatMap((f) => gunzipSync(readFileSync(f)).toString('utf8').split('\n').filter((l) => l.length > 0));
}

describe('scripts/generate-archive.mjs', () => {
  let first: GenResult;

  it('writes a deterministic S3-style gzipped NDJSON archive', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    first = await generateArchive({ dir: a, messages: N, files: 3, seed: 7 });
    const second = await generateArchive({ dir: b, messages: N, files: 3, seed: 7 });
    expect(first.messages).toBe(N);
    expect(first.files).toHaveLength(3);
    for (const f of first.files) {
      expect(relative(a, f)).toMatch(/^segment-logs\/[A-Za-z0-9]+\/\d{13}\/\d{4}\.gz$/);
    }
    expect(digest(a, first.files)).toBe(digest(b, second.files));
    expect(second.counts).toEqual(first.counts);

    const other = await generateArchive({ dir: join(root, 'c'), messages: N, files: 3, seed: 8 });
    expect(digest(join(root, 'c'), other.files)).not.toBe(digest(a, first.files));
  });

  it('has the expected line count and a realistic mix', () => {
    const lines = readLines(first.files);
    expect(lines).toHaveLength(N);
    const msgs = lines.map((l) => JSON.parse(l) as Record<string, any>);

    const seen = new Set<string>();
    let duplicates = 0;
    let anonymous = 0;
    let orders = 0;
    let braze = 0;
    let lastTs = '';
    let monotonic = true;
    for (const m of msgs) {
      if (seen.has(m.messageId)) {
        duplicates++;
        continue;
      }
      seen.add(m.messageId);
      if (m.timestamp < lastTs) monotonic = false;
      lastTs = m.timestamp;
      if (m.userId === undefined) anonymous++;
      if (m.event === 'Order Completed') {
        orders++;
        expect(m.properties.products.length).toBeGreaterThanOrEqual(1);
        expect(m.properties.products.length).toBeLessThanOrEqual(3);
      }
      if (m.context?.library?.name === 'braze') braze++;
      expect(Date.parse(m.timestamp)).toBe(Date.parse(m.receivedAt) - (Date.parse(m.sentAt) - Date.parse(m.originalTimestamp)));
    }
    expect(monotonic).toBe(true);
    expect(duplicates).toBe(first.counts.duplicate);
    expect(anonymous).toBe(first.counts.anonymous);
    expect(orders).toBe(first.counts.orderCompleted);
    expect(braze).toBe(first.counts.brazeOrigin);
    // rough proportions (weights 35/15/8/10/3/3/2/12/1/1 of 90)
    expect(duplicates).toBeGreaterThan(N * 0.003);
    expect(duplicates).toBeLessThan(N * 0.03);
    expect(anonymous / N).toBeGreaterThan(0.08);
    expect(anonymous / N).toBeLessThan(0.2);
    expect(orders / N).toBeGreaterThan(0.05);
    expect(orders / N).toBeLessThan(0.14);
    expect(braze).toBeGreaterThan(0);
    const total = Object.values(first.counts).reduce((s, n) => s + n, 0);
    expect(total).toBe(N);
    const types = new Set(msgs.map((m) => m.type));
    expect([...types].sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    expect(first.rawBytes / N).toBeGreaterThan(350);
    expect(first.rawBytes / N).toBeLessThan(900);
  });

  it('writes flat JSON arrays and dot-path CSV', async () => {
    const dj = join(root, 'json');
    const rj = await generateArchive({ dir: dj, messages: 300, files: 2, format: 'json', gzip: false, layout: 'flat' });
    expect(rj.files.map((f) => relative(dj, f))).toEqual(['part-0001.json', 'part-0002.json']);
    const items = rj.files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown[]);
    expect(items).toHaveLength(300);

    const dc = join(root, 'csv');
    const rc = await generateArchive({ dir: dc, messages: 300, files: 1, format: 'csv', layout: 'flat' });
    expect(relative(dc, rc.files[0]!)).toBe('part-0001.csv.gz');
    const csv = gunzipSync(readFileSync(rc.files[0]!)).toString('utf8');
    const [header, ...rows] = csv.trimEnd().split('\n');
    expect(header!.startsWith('type,messageId,userId,anonymousId,event,timestamp,receivedAt')).toBe(true);
    expect(header).toContain('properties.products');
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.startsWith('track,'))).toBe(true);
  });
});
