import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OTHER, topFields } from '../../src/input/top-fields.js';
import type { LineBatch } from '../../src/input/line-batches.js';
import { linksOfBatch, RecentLinks, type LinkChunk } from '../../src/pipeline/planning/link-chunk.js';
import { indexEntryOf } from '../../src/transform/stitch.js';
import type { SegmentMessage } from '../../src/transform/types.js';
import { tempDir } from '../support/cli.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const wanted = new Set(['type', 'userId', 'anonymousId']);

function batchOf(lines: readonly string[]): LineBatch {
  const bytes = Buffer.from(lines.join(''));
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += Buffer.byteLength(l);
  }
  return { file: 'f.ndjson', bytes, starts: Int32Array.from(starts), lines: Int32Array.from(lines.map((_, i) => i + 1)), ends: Float64Array.from(starts) };
}

/** What the index pass should take from these lines: JSON.parse and indexEntryOf, line by line. */
function reference(lines: readonly string[]): Omit<LinkChunk, 'last'> {
  const want = { links: [] as string[], linkLines: [] as number[], users: [] as string[], userLines: [] as number[], userTimes: [] as number[] };
  lines.forEach((text, i) => {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') return;
    const entry = indexEntryOf(msg as SegmentMessage, 'timestamp');
    if (entry?.link) want.links.push(...entry.link), want.linkLines.push(i + 1);
    if (entry?.identified) want.users.push(entry.identified[0]), want.userTimes.push(entry.identified[1]), want.userLines.push(i + 1);
  });
  return want;
}

describe('topFields', () => {
  it('reads top-level strings, numbers and null, and only those', () => {
    const text = '{"type":"track","properties":{"userId":"nested","a":[1,{"b":"}"}]},"userId": 42 ,"anonymousId":null}';
    expect(Object.fromEntries(topFields(text, wanted)!)).toEqual({ type: 'track', userId: 42, anonymousId: null });
  });

  it('takes the last of a repeated key, as JSON.parse does, and marks objects and booleans', () => {
    expect(topFields('{"userId":"a","userId":"b"}', wanted)!.get('userId')).toBe('b');
    expect(topFields('{"userId":{"x":1},"type":true}', wanted)!.get('userId')).toBe(OTHER);
  });

  it('gives up on what it is not sure of: escapes in a wanted value or a key, and texts that are not one object', () => {
    expect(topFields('{"userId":"a\\"b"}', wanted)).toBeUndefined();
    expect(topFields('{"us\\u0065rId":"a"}', wanted)).toBeUndefined();
    expect(topFields('[1]', wanted)).toBeUndefined();
    expect(topFields('{"userId":"a"} x', wanted)).toBeUndefined();
    expect(topFields('{"userId":"a"', wanted)).toBeUndefined();
  });

  it('steps over escaped quotes inside other values', () => {
    const text = '{"properties":{"q":"say \\"hi\\" \\\\"},"userId":"u"}';
    expect(topFields(text, wanted)!.get('userId')).toBe('u');
  });
});

describe('the index pass reads links as JSON.parse would', () => {
  it('on crafted lines (nested userIds, numbers, blanks, alias, malformed)', () => {
    const lines = [
      '{"type":"track","anonymousId":"a1","properties":{"userId":"not-me"}}',
      '{"type":"track","userId":7,"anonymousId":"a2","timestamp":"2025-01-01T00:00:00Z"}',
      '{"type":"identify","userId":"u3","anonymousId":" ","timestamp":"2025-01-01T00:00:00Z"}',
      '{"type":"alias","userId":"u4","previousId":"a4"}',
      '{"type":"identify","userId":"u5","anonymousId":"a5","timestamp":{"bad":1}}',
      '{"type":"track","userId":"u6","anonymousId":"a\\u00e96"}',
      '{"type":"track","userId":"u7","anonymousId":"a7"',
      '  { "type" : "track" , "userId" : "u8" , "anonymousId" : "a8" }  ',
    ];
    const got = linksOfBatch(batchOf(lines), 'timestamp');
    expect({ ...got, last: undefined }).toEqual({ ...reference(lines), last: undefined });
    expect(got.links).toContain('a\u00e96');
  });

  it('on a generated archive, line for line', async () => {
    const dir = tempDir();
    await generateArchive({ dir, messages: 3000, files: 1, seed: 3, format: 'ndjson', gzip: false, layout: 'flat' });
    const file = readdirSync(dir).find((n) => n.endsWith('.ndjson'))!;
    const lines = readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l !== '');
    const got = linksOfBatch(batchOf(lines), 'timestamp');
    const want = reference(lines);
    expect(want.links.length).toBeGreaterThan(1000);
    expect({ ...got, last: undefined }).toEqual({ ...want, last: undefined });
  });
});

describe('a worker passes over links it handed on lately', () => {
  it('keeps the first of each repeated link, and a second user after the first (ambiguity stays)', () => {
    const recent = new RecentLinks();
    const msg = (u: string, a: string) => `{"type":"track","userId":"${u}","anonymousId":"${a}"}`;
    const first = linksOfBatch(batchOf([msg('u1', 'a1'), msg('u1', 'a1'), msg('u2', 'a2')]), 'timestamp', recent);
    expect([first.links, first.linkLines]).toEqual([['a1', 'u1', 'a2', 'u2'], [1, 3]]);
    const next = linksOfBatch(batchOf([msg('u1', 'a1'), msg('u9', 'a1'), msg('u1', 'a1')]), 'timestamp', recent);
    expect([next.links, next.linkLines]).toEqual([['a1', 'u9', 'a1', 'u1'], [2, 3]]);
  });
});
