import { forEachItem } from '../../input/batch-items.js';
import { forEachLine, type LineBatch } from '../../input/line-batches.js';
import type { InputItem } from '../../input/types.js';
import { OTHER, topFields, type TopValue } from '../../input/top-fields.js';
import { indexEntryOf, type IndexEntry, type MessageIdentifier } from '../../transform/stitch.js';
import type { MappingSettings, SegmentMessage, TimeField } from '../../transform/types.js';
import { indexIdentifier } from '../../transform/mapping/identity-key.js';
import { ownCopy } from '../../transform/own-copy.js';

/**
 * What the index pass (--stitch) takes from a batch of lines: the links (anonymousId, userId) and
 * the identifies carrying a userId it holds, each with its line, and where the batch ends (the
 * pass's resume point). Plain arrays: a few per batch cross from the worker by structured clone.
 */
export interface LinkChunk {
  /** anonymousId, userId, anonymousId, userId, ... */
  readonly links: string[];
  readonly linkLines: number[];
  readonly users: string[];
  readonly userLines: number[];
  readonly userTimes: number[];
  /** The last line read and the byte offset after it; undefined when the batch held no line. */
  readonly last: { readonly line: number; readonly end: number } | undefined;
}

/**
 * A line that may give an entry: it names a userId and an anonymousId, previousId or the identify
 * type. Only those are parsed: an anonymous-only message (no "userId") is passed over unparsed.
 */
export function mayLink(text: string): boolean {
  if (!text.includes('"userId"')) return false;
  return text.includes('"anonymousId"') || text.includes('"previousId"') || text.includes('"identify"');
}

/**
 * The links a planning worker handed on lately (anonymousId -> userId): nearly every message of an
 * identified user repeats the same link, and the index keeps the first of each (those the worker passes
 * over come after one it handed on, so the index and its sources are the same without them).
 */
export class RecentLinks {
  #links = new Map<string, string>();

  /** True when this link was handed on lately; else remembers it. */
  seen(anonymousId: string, userId: string): boolean {
    if (this.#links.get(anonymousId) === userId) return true;
    if (this.#links.size >= 1 << 16) this.#links = new Map();
    this.#links.set(ownCopy(anonymousId), ownCopy(userId));
    return false;
  }
}

/** The links of a batch of NDJSON lines (in a planning worker). Malformed lines give nothing here. */
export function linksOfBatch(batch: LineBatch, time: TimeField, recent?: RecentLinks, identify?: MessageIdentifier): LinkChunk {
  const out = new LinkCollector(recent);
  forEachLine(batch, (text, line, end) => {
    out.last = { line, end };
    // A mapping file's identifiers may be anywhere in the message: every line is parsed whole.
    if (identify !== undefined) return out.add(entryOf(parsed(text), time, identify), line);
    if (!mayLink(text)) return;
    const fields = topFields(text, WANTED);
    out.add(entryOf(fields ? messageOf(fields) : parsed(text), time), line);
  });
  return out.chunk();
}

/** The top-level fields a message's index entry is made of (indexEntryOf: IDs, type, times). */
const WANTED: ReadonlySet<string> = new Set(['type', 'userId', 'anonymousId', 'previousId', 'timestamp', 'originalTimestamp', 'receivedAt', 'sentAt']);

/** The message as far as indexEntryOf reads it (an object, array or boolean stands as `{}`). */
function messageOf(fields: Map<string, TopValue>): Record<string, unknown> {
  const msg: Record<string, unknown> = {};
  for (const [key, value] of fields) msg[key] = value === OTHER ? {} : value;
  return msg;
}

/** A line the field reader was not sure of: parsed whole (a malformed line gives nothing here). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The links of a batch of JSON-array elements or CSV rows (in a planning worker): each record is
 * parsed whole, as for planning (batch-items.ts), so that one that ends its input (`ends`) ends the
 * links there too.
 */
export function linksOfRecords(batch: LineBatch, time: TimeField, recent?: RecentLinks, identify?: MessageIdentifier): { links: LinkChunk; ends: boolean } {
  const out = new LinkCollector(recent);
  const ends = forEachItem(batch, (item) => out.addItem(item, time, identify));
  return { links: out.chunk(), ends };
}

/** The links of items read on the main thread (the malformed item that ends an input). */
export function linksOfItems(items: readonly InputItem[], mapping: Pick<MappingSettings, 'time' | 'rules'>): LinkChunk {
  const identify = indexIdentifier(mapping.rules);
  const out = new LinkCollector();
  for (const item of items) out.addItem(item, mapping.time, identify);
  return out.chunk();
}

function entryOf(value: unknown, time: TimeField, identify?: MessageIdentifier): IndexEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? indexEntryOf(value as SegmentMessage, time, identify) : undefined;
}

class LinkCollector {
  readonly links: string[] = [];
  readonly linkLines: number[] = [];
  readonly users: string[] = [];
  readonly userLines: number[] = [];
  readonly userTimes: number[] = [];
  last: LinkChunk['last'];

  constructor(private readonly recent?: RecentLinks) {}

  add(entry: IndexEntry | undefined, line: number): void {
    if (entry?.link && !this.recent?.seen(entry.link[0], entry.link[1])) {
      this.links.push(entry.link[0], entry.link[1]);
      this.linkLines.push(line);
    }
    if (entry?.identified) {
      this.users.push(entry.identified[0]);
      this.userTimes.push(entry.identified[1]);
      this.userLines.push(line);
    }
  }

  addItem(item: InputItem, time: TimeField, identify?: MessageIdentifier): void {
    this.last = { line: item.line, end: item.end };
    if (item.kind !== 'malformed') this.add(entryOf(item.value, time, identify), item.line);
  }

  chunk(): LinkChunk {
    const { links, linkLines, users, userLines, userTimes, last } = this;
    return { links, linkLines, users, userLines, userTimes, last };
  }
}
