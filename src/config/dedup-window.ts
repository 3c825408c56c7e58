import { UsageError } from '../errors.js';

/**
 * --dedup-window (cli.md "Duplicates"): how far apart in message time two copies of a messageId may be
 * and still be caught; `all` for the whole run (no eviction), `off` for no duplicate filter.
 */
export type DedupWindowSetting =
  | { readonly kind: 'window'; readonly seconds: number; readonly text: string }
  | { readonly kind: 'all'; readonly text: 'all' }
  | { readonly kind: 'off'; readonly text: 'off' };

/** 48 h: twice the ~24 h over which Segment itself de-duplicates. */
export const DEFAULT_WINDOW: DedupWindowSetting = { kind: 'window', seconds: 48 * 3600, text: '48h' };

const UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Parses `48h`, `90m`, `7d`, `2w`, `3600s`, `all` or `off`. */
export function dedupWindow(value: string | boolean | undefined): DedupWindowSetting {
  if (value === undefined) return DEFAULT_WINDOW;
  const given = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (given === 'all') return { kind: 'all', text: 'all' };
  if (given === 'off') return { kind: 'off', text: 'off' };
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(given);
  const seconds = m ? Math.round(Number(m[1]) * UNIT[m[2]!]!) : NaN;
  if (!(seconds >= 1) || seconds > 3650 * 86_400) {
    throw new UsageError(`--dedup-window must be a duration such as 48h, 90m or 7d (up to 3650d), or all, or off (got ${JSON.stringify(value)})`);
  }
  return { kind: 'window', seconds, text: `${m![1]}${m![2]}` };
}

/** --keep-requests: how many requests requests.ndjson keeps (the first n); Infinity for `all`. */
export function keepRequests(value: string | boolean | undefined): number {
  if (value === undefined) return 10_000;
  const given = typeof value === 'string' ? value.trim() : '';
  if (given === 'all') return Infinity;
  if (!/^\d+$/.test(given) || !Number.isSafeInteger(Number(given))) {
    throw new UsageError(`--keep-requests must be a whole number or all (got ${JSON.stringify(value)})`);
  }
  return Number(given);
}
