import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export function readNdjson<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export interface ReportJson {
  command: string;
  dryRun: boolean;
  complete: boolean;
  records?: { read: number; sent: number; rejected: number; skipped: Record<string, number> };
  objects?: { attributes: number; events: number; purchases: number; attributesUnchanged?: number };
  dataPointsSaved?: number;
  topEvents?: Array<{ name: string; dataPoints: number }>;
  topAttributes?: Array<{ name: string; dataPoints: number }>;
  complete?: boolean;
  ids?: { read: number; deleted: number; duplicate: number; rejected: number };
  dataPoints?: number;
  requests: { sent: number; retried: number; inDoubt: number };
  state: string;
}

export function readReport(stateDir: string): ReportJson {
  return JSON.parse(readFileSync(join(stateDir, 'report.json'), 'utf8')) as ReportJson;
}

/** cli.md: read = sent + rejected + Σ skipped (delete: read = deleted + duplicate + rejected). */
export function expectIdentity(report: ReportJson): void {
  if (report.ids) {
    expect(report.ids.deleted + report.ids.duplicate + report.ids.rejected).toBe(report.ids.read);
    return;
  }
  const r = report.records!;
  const skipped = Object.values(r.skipped).reduce((a, b) => a + b, 0);
  expect(r.sent + r.rejected + skipped).toBe(r.read);
}

interface RequestLine {
  method: string;
  path: string;
  body: Record<string, unknown[]>;
}

/** Every object of a dry run's requests.ndjson, as canonical JSON strings tagged by array. */
export function plannedObjects(stateDir: string): string[] {
  const out: string[] = [];
  for (const request of readNdjson<RequestLine>(join(stateDir, 'requests.ndjson'))) {
    for (const [array, objects] of Object.entries(request.body)) for (const o of objects) out.push(`${array} ${JSON.stringify(o)}`);
  }
  return out;
}

/** Every object the emulator recorded, in the same form. */
export function recordedObjects(recordFile: string): string[] {
  return readNdjson<{ array: string; object?: unknown; id?: unknown }>(recordFile).map(
    (r) => `${r.array} ${JSON.stringify(r.object ?? r.id)}`,
  );
}

export function sorted(list: string[]): string[] {
  return [...list].sort();
}
