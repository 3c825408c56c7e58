/**
 * CSV header analysis (cli.md "Inputs", reference-braze-and-segment.md §D.2): each column name becomes a
 * target in the Segment message, decided once per file; `buildMessage` then applies that plan to every
 * row. Pure.
 */

/** How a cell is typed. */
export type CellTyping = 'string' | 'json' | 'timestamp';

/** Where a column goes. */
export type ColumnTarget =
  | { readonly kind: 'drop' }
  /** A fixed place in the message (dot path, known Segment field or warehouse name). */
  | { readonly kind: 'path'; readonly path: readonly string[]; readonly typing: CellTyping }
  /** An unknown column: a property (track/page/screen) or a trait (identify/group); `name`/`category` are top-level on page/screen. */
  | { readonly kind: 'payload'; readonly key: string; readonly typing: CellTyping };

/** The compiled header of one CSV file. */
export interface ColumnPlan {
  readonly targets: readonly ColumnTarget[];
  /** Column indexes in application order: whole-object columns, then other paths, then payload columns. */
  readonly order: readonly number[];
  /** Type of rows without a `type` cell: `track` when there is an event column, else `identify`. */
  readonly defaultType: 'track' | 'identify';
}

/** Segment warehouse column names with a fixed place in the message. */
const WAREHOUSE: ReadonlyMap<string, string> = new Map([
  ['id', 'messageId'],
  ['user_id', 'userId'],
  ['anonymous_id', 'anonymousId'],
  ['received_at', 'receivedAt'],
  ['sent_at', 'sentAt'],
  ['original_timestamp', 'originalTimestamp'],
  ['event_text', 'event'],
  ['group_id', 'groupId'],
  ['previous_id', 'previousId'],
]);

/** Warehouse bookkeeping columns that are not part of the message. */
const DROPPED = new Set(['uuid', 'uuid_ts', 'loaded_at']);

/** Top-level Segment fields recognised by their own name (name/category depend on the row type). */
const TOP_LEVEL = new Set([
  'type', 'userId', 'anonymousId', 'messageId', 'event', 'timestamp', 'receivedAt', 'sentAt',
  'originalTimestamp', 'groupId', 'previousId', 'context', 'properties', 'traits', 'integrations', 'channel',
]);

/** Whole-object columns: applied first so that dot-path columns such as `properties.price` add to them. */
const CONTAINERS = new Set(['context', 'properties', 'traits', 'integrations']);

/** The four message timestamps, normalised to ISO UTC. */
const TIMESTAMPS = new Set(['timestamp', 'receivedAt', 'sentAt', 'originalTimestamp']);

/**
 * Identifiers and names: always kept as strings (`007`, `12345` or `1e5` must not become numbers).
 * Matched on the last segment of the target path.
 */
export const STRING_FIELDS: ReadonlySet<string> = new Set([
  'type', 'userId', 'anonymousId', 'messageId', 'groupId', 'previousId', 'event', 'name', 'category',
  'id', 'user_id', 'anonymous_id', 'external_id', 'braze_id', 'email', 'phone', 'order_id', 'orderId',
  'product_id', 'productId', 'sku', 'checkout_id', 'checkoutId', 'alias_name', 'alias_label',
]);

/** Path segments that could reach Object.prototype. */
const UNSAFE = new Set(['__proto__', 'prototype', 'constructor']);

/** Compiles a header row into a plan. */
export function planColumns(header: readonly string[]): ColumnPlan {
  const names = header.map((name) => name.trim());
  const hasEventText = names.includes('event_text');
  const targets = names.map((name) => targetOf(name, hasEventText));
  const rank = (target: ColumnTarget): number => {
    if (target.kind === 'payload') return 2;
    if (target.kind === 'path' && target.path.length === 1 && CONTAINERS.has(target.path[0] ?? '')) return 0;
    return 1;
  };
  const order = targets.map((_, i) => i).sort((a, b) => rank(targets[a]!) - rank(targets[b]!) || a - b);
  const hasEvent = targets.some((t) => t.kind === 'path' && t.path.length === 1 && t.path[0] === 'event');
  return { targets, order, defaultType: hasEvent ? 'track' : 'identify' };
}

/**
 * Why a header cannot be a Segment export, or undefined when it can: at least one column must name a
 * place in a Segment message (userId/user_id, type, event, messageId/id, traits.*, properties.*, …).
 * A text or binary file read as CSV by sniffing fails this, instead of yielding rows of nonsense.
 */
export function headerProblem(plan: ColumnPlan): string | undefined {
  if (plan.targets.some((t) => t.kind === 'path')) return undefined;
  return 'not a Segment CSV export: the header names no Segment field (such as userId or user_id, type, event, messageId or id, traits.*, properties.*)';
}

function targetOf(name: string, hasEventText: boolean): ColumnTarget {
  if (name === '' || DROPPED.has(name)) return { kind: 'drop' };
  if (name === 'event' && hasEventText) return { kind: 'drop' }; // the warehouse slug (order_completed)
  const renamed = WAREHOUSE.get(name);
  if (renamed !== undefined) return pathTarget([renamed]);
  if (name.startsWith('context_') && name.length > 'context_'.length) {
    return pathTarget(['context', name.slice('context_'.length)]);
  }
  if (name.includes('.')) {
    const path = name.split('.').filter((segment) => segment !== '');
    return path.length === 0 ? { kind: 'drop' } : pathTarget(path);
  }
  if (TOP_LEVEL.has(name)) return pathTarget([name]);
  if (UNSAFE.has(name)) return { kind: 'drop' };
  return { kind: 'payload', key: name, typing: STRING_FIELDS.has(name) ? 'string' : 'json' };
}

function pathTarget(path: readonly string[]): ColumnTarget {
  if (path.some((segment) => UNSAFE.has(segment))) return { kind: 'drop' };
  const last = path[path.length - 1] ?? '';
  if (path.length === 1 && TIMESTAMPS.has(last)) return { kind: 'path', path, typing: 'timestamp' };
  return { kind: 'path', path, typing: STRING_FIELDS.has(last) ? 'string' : 'json' };
}

/** Applies a plan to one row (as many cells as the header). Empty cells are absent. */
export function buildMessage(plan: ColumnPlan, cells: readonly string[]): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const i of plan.order) {
    const target = plan.targets[i];
    const cell = cells[i];
    if (target === undefined || target.kind === 'drop' || cell === undefined || cell === '') continue;
    const value = typeCell(cell, target.typing);
    if (target.kind === 'path') {
      setPath(message, target.path, value);
      continue;
    }
    if (typeof message.type !== 'string' || message.type === '') message.type = plan.defaultType;
    setPath(message, payloadPath(String(message.type), target.key), value);
  }
  if (typeof message.type !== 'string' || message.type === '') message.type = plan.defaultType;
  return message;
}

function payloadPath(type: string, key: string): readonly string[] {
  if ((type === 'page' || type === 'screen') && (key === 'name' || key === 'category')) return [key];
  return [type === 'identify' || type === 'group' ? 'traits' : 'properties', key];
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]!] = value;
}

const NUMBER_START = /^-?[0-9]/;

/**
 * Types one non-empty cell. `json`: a JSON object or array is parsed; `true`/`false`/`null` and
 * canonical numbers (`String(Number(x)) === x`, so `007`, `1.50` and `1e5` stay strings) are typed;
 * anything else stays a string. `timestamp`: warehouse renderings become ISO UTC.
 */
export function typeCell(cell: string, typing: CellTyping): unknown {
  if (typing === 'string') return cell;
  if (typing === 'timestamp') return normaliseTimestamp(cell);
  const first = cell[0];
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(cell);
    } catch {
      return cell;
    }
  }
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (cell === 'null') return null;
  if (NUMBER_START.test(cell)) {
    const number = Number(cell);
    if (Number.isFinite(number) && String(number) === cell) return number;
  }
  return cell;
}

const WAREHOUSE_TIME =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A timestamp already as the parse below would write it: a day up to 28 and an hour up to 23 are in
 * every month and day, so nothing rolls over (and an impossible month, minute or second does not
 * parse, which leaves the text as it is too). Most cells of a Segment export are such; this check
 * costs a tenth of the parse, which was a tenth of a CSV row's planning.
 */
const ALREADY_ISO = /^\d{4}-\d{2}-(?:[01]\d|2[0-8])T(?:[01]\d|2[0-3]):\d{2}:\d{2}\.\d{3}Z$/;

/**
 * `2025-03-02 10:15:00.000`, with or without `T`, a zone (`Z`, `UTC`, `+00`, `+01:00`) or a fraction,
 * as ISO UTC (`2025-03-02T10:15:00.000Z`). A value without a zone is UTC (warehouses store UTC).
 * Anything else is returned unchanged for the pipeline to judge.
 */
export function normaliseTimestamp(text: string): string {
  if (ALREADY_ISO.test(text)) return text;
  const match = WAREHOUSE_TIME.exec(text.trim());
  if (!match) return text;
  const [, date, hourMinute, seconds = '00', fraction = '0', zone] = match;
  const millis = fraction.slice(0, 3).padEnd(3, '0');
  const parsed = Date.parse(`${date}T${hourMinute}:${seconds}.${millis}${isoZone(zone)}`);
  return Number.isNaN(parsed) ? text : new Date(parsed).toISOString();
}

function isoZone(zone: string | undefined): string {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 'Z';
  const digits = zone.replace(':', '');
  return `${digits.slice(0, 3)}:${digits.slice(3, 5) || '00'}`;
}
