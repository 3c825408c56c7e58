import type { RequestItem } from '../braze/types.js';
import type { DecisionListener } from '../pipeline/decisions/listener.js';
import type { PointsBy } from '../state/report.js';
import { ATTRIBUTE_WORDS } from '../transform/attributes/attribute-pieces.js';
import { ownCopy } from '../transform/own-copy.js';
import type { Ledger } from './ledger.js';


/** Names tracked at most; later new names add up under OTHERS (bounded memory over any archive). */
const MAX_NAMES = 10_000;
export const OTHERS = '(other names)';

/**
 * Where a dry run's data points go (issue 15): per event name, product and attribute key, the data points
 * of what is sent, in a map capped at MAX_NAMES names each. Names come out of the items' JSON text
 * (no parse: the main thread reads every record).
 */
/** What a checkpoint keeps of the totals (see Ledger): names and data points; attributes with their key's hash. */
export interface TotalsSnapshot {
  readonly events: ReadonlyArray<readonly [string, number]>;
  readonly purchases: ReadonlyArray<readonly [string, number]>;
  readonly others: ReadonlyArray<readonly [string, number]>;
  readonly attributes: ReadonlyArray<readonly [number, string, number]>;
}

export class DataPointTotals implements DecisionListener {
  readonly #events = new Map<string, number>();
  readonly #purchases = new Map<string, number>();
  readonly #others = new Map<string, number>();
  /** By the key's hash (the worker's): the name is read out of the text only the first time. */
  readonly #attributes = new Map<number, { readonly name: string; points: number }>();

  /** `ledger`: counts wait there until their record is committed (a resumed dry run's lists cover the whole run). */
  constructor(private readonly ledger?: Ledger) {}

  /** What an object sends, as --attributes changed decided (decisions/listener.ts). */
  object(_file: string, _line: number, planned: RequestItem, keep: Uint8Array | undefined): void {
    this.item(planned, keep);
  }

  /** Counts a sent item; `keep` (an attributes object): which attributes are sent (all when undefined). */
  item(item: RequestItem, keep: Uint8Array | undefined): void {
    if (!this.ledger) return this.#item(item, keep);
    if (item.unsent || item.json === undefined) return;
    // `keep` is the caller's scratch array, reused for the next item.
    const kept = keep && item.attrs ? keep.slice(0, (item.attrs.length - 2) / ATTRIBUTE_WORDS) : undefined;
    this.ledger.defer(this.#item, item, kept, undefined, undefined, undefined);
  }

  readonly #item = (item: RequestItem, keep: Uint8Array | undefined): void => {
    const json = item.json;
    if (item.unsent || json === undefined) return;
    if (item.array === 'events') {
      const at = json.indexOf('"name":');
      if (at >= 0) add(this.#events, jsonString(json, at + 7), item.points ?? 0);
      return;
    }
    if (item.array === 'purchases') {
      const at = json.indexOf('"product_id":');
      if (at >= 0) add(this.#purchases, jsonString(json, at + 13), item.points ?? 0);
      return;
    }
    const words = item.attrs;
    if (item.array !== 'attributes' || !words) return;
    for (let a = 0, w = 2; w < words.length; a++, w += ATTRIBUTE_WORDS) {
      if (keep && keep[a] === 0) continue;
      const points = words[w + 6]!;
      if (points === 0) continue;
      const key = words[w + 2]! ^ words[w + 3]!;
      const known = this.#attributes.get(key);
      if (known) known.points += points;
      else if (this.#attributes.size < MAX_NAMES) this.#attributes.set(key, { name: ownCopy(jsonString(json, words[w]!)), points });
      else add(this.#others, OTHERS, points);
    }
  };

  snapshot(): TotalsSnapshot {
    return {
      events: [...this.#events],
      purchases: [...this.#purchases],
      others: [...this.#others],
      attributes: [...this.#attributes].map(([key, a]) => [key, a.name, a.points] as const),
    };
  }

  /** Takes up the totals a checkpoint kept (before anything is counted). */
  restore(s: TotalsSnapshot): void {
    for (const [name, points] of s.events) this.#events.set(name, points);
    for (const [name, points] of s.purchases) this.#purchases.set(name, points);
    for (const [name, points] of s.others) this.#others.set(name, points);
    for (const [key, name, points] of s.attributes) this.#attributes.set(key, { name, points });
  }

  topEvents(n = 10): PointsBy[] {
    return top(this.#events, n);
  }

  /** By product_id. */
  topPurchases(n = 10): PointsBy[] {
    return top(this.#purchases, n);
  }

  topAttributes(n = 10): PointsBy[] {
    const byName = new Map(this.#others);
    for (const { name, points } of this.#attributes.values()) byName.set(name, (byName.get(name) ?? 0) + points);
    return top(byName, n);
  }
}

function add(map: Map<string, number>, name: string, points: number): void {
  const known = map.get(name);
  if (known !== undefined) map.set(name, known + points);
  else if (map.size < MAX_NAMES) map.set(ownCopy(name), points);
  else map.set(OTHERS, (map.get(OTHERS) ?? 0) + points);
}

function top(map: Map<string, number>, n: number): PointsBy[] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([name, dataPoints]) => ({ name, dataPoints }));
}

/** The JSON string starting at `at` in `text` (its opening quote), decoded. */
export function jsonString(text: string, at: number): string {
  let end = at + 1;
  while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  const raw = text.slice(at, end + 1);
  return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
}
