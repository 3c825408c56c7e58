import { describe, expect, it } from 'vitest';
import { accountingGap, buildReport, type ReportContext } from '../../src/state/report.js';

const context: ReportContext = {
  command: 'replay',
  dryRun: false,
  complete: true,
  interrupted: false,
  state: '/work/.segment-braze/replay-abc',
  endpoint: 'https://rest.iad-01.braze.com',
  inputs: ['a.ndjson'],
  files: 1,
  rate: 500,
  startedAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:05:00.000Z',
  warnings: [],
};

describe('buildReport', () => {
  it('gives a replay report the shape of cli.md, with zeros for missing counters', () => {
    const report = buildReport(
      {
        'records.read': 10,
        'records.sent': 5,
        'records.rejected': 1,
        'records.skipped.anonymous': 3,
        'records.skipped.duplicate': 1,
        'objects.events': 6,
        'objects.attributes': 2,
        dataPoints: 12,
        'requests.sent': 2,
        'requests.retried': 1,
        'requests.inDoubt': 1,
      },
      context,
    );
    expect(report).toEqual({
      command: 'replay',
      dryRun: false,
      complete: true,
      interrupted: false,
      state: context.state,
      endpoint: context.endpoint,
      inputs: ['a.ndjson'],
      files: 1,
      records: { read: 10, sent: 5, rejected: 1, skipped: { anonymous: 3, duplicate: 1, brazeOrigin: 0, notMapped: 0, filtered: 0, unchanged: 0 }, invalidUtf8: 0 },
      objects: { attributes: 2, events: 6, purchases: 0, attributesUnchanged: 0 },
      dataPoints: 12,
      dataPointsSaved: 0,
      requests: { sent: 2, retried: 1, inDoubt: 1 },
      startedAt: context.startedAt,
      updatedAt: context.updatedAt,
      warnings: [],
    });
    expect(report.ids).toBeUndefined();
    expect(report.estimatedSeconds).toBeUndefined();
  });

  it('gives a delete report ids instead of records and objects', () => {
    const report = buildReport({ 'ids.read': 7, 'ids.deleted': 4, 'ids.duplicate': 2, 'ids.rejected': 1, 'requests.sent': 1 }, { ...context, command: 'delete' });
    expect(report.ids).toEqual({ read: 7, deleted: 4, duplicate: 2, rejected: 1 });
    expect(report.records).toBeUndefined();
    expect(report.objects).toBeUndefined();
    expect(report.dataPoints).toBeUndefined();
    expect(report.requests).toEqual({ sent: 1, retried: 0, inDoubt: 0 });
  });

  it('leaves out the endpoint when there is none (dry run)', () => {
    expect('endpoint' in buildReport({}, { ...context, dryRun: true, endpoint: undefined })).toBe(false);
  });

  it('estimates a dry run at --rate, rounding up to whole seconds', () => {
    const at = (sent: number, rate: number) => buildReport({ 'requests.sent': sent }, { ...context, dryRun: true, rate }).estimatedSeconds;
    expect(at(0, 500)).toBe(0);
    expect(at(500, 500)).toBe(1);
    expect(at(501, 500)).toBe(2);
    expect(at(3, 2.5)).toBe(2);
  });
});

describe('accountingGap', () => {
  it('is 0 when read = sent + rejected + skipped', () => {
    const report = buildReport({ 'records.read': 4, 'records.sent': 1, 'records.rejected': 1, 'records.skipped.filtered': 2 }, context);
    expect(accountingGap(report)).toBe(0);
  });

  it('is the number of records without a fate', () => {
    const report = buildReport({ 'records.read': 5, 'records.sent': 1, 'records.skipped.notMapped': 1 }, context);
    expect(accountingGap(report)).toBe(3);
  });

  it('is negative when records were counted twice', () => {
    const report = buildReport({ 'records.read': 1, 'records.sent': 1, 'records.rejected': 1 }, context);
    expect(accountingGap(report)).toBe(-1);
  });

  it('checks read = deleted + duplicate + rejected for delete', () => {
    const d = { ...context, command: 'delete' as const };
    expect(accountingGap(buildReport({ 'ids.read': 3, 'ids.deleted': 1, 'ids.duplicate': 1, 'ids.rejected': 1 }, d))).toBe(0);
    expect(accountingGap(buildReport({ 'ids.read': 3, 'ids.deleted': 1 }, d))).toBe(2);
  });
});
