import type { RequestItem } from '../braze/types.js';
import type { DiffMode } from '../config/options.js';
import { recordText } from '../dryrun/record-text.js';
import { TraceKeys } from '../dryrun/trace-keys.js';
import type { InputItem } from '../input/types.js';
import { hashId } from '../state/id-set.js';
import { dataPoints } from '../transform/data-points.js';
import { mapMessage } from '../transform/map-message.js';
import { checkShape } from '../transform/shape.js';
import { REPLAY_KEYS } from './plan-replay.js';
import type { MappingSettings, SkipReason } from '../transform/types.js';

/**
 * One record planned as far as can be done without knowing the rest of the run: its fate by the
 * mapping (not yet "duplicate": that needs every earlier message ID, see plan-replay.ts), its objects
 * already serialised, its counters, rejects-file line and diff lines. Pure; runs in the planning
 * worker (or on the main thread for stdin).
 */
export interface Planned {
  readonly file: string;
  readonly line: number;
  readonly end: number;
  /** Counter key of the fate: 'records.sent', 'records.rejected', 'records.skipped.<reason>'. */
  readonly fate: string;
  /** Hash of the messageId (hi, lo), or undefined when the record is rejected before de-duplication. */
  readonly hash: readonly [number, number] | undefined;
  readonly items: readonly RequestItem[];
  readonly attributes: number;
  readonly events: number;
  readonly purchases: number;
  readonly dataPoints: number;
  readonly rejectLine: string | undefined;
  /**
   * Diff line numbers (TraceKeys) when a diff is kept: `traceIds[traceStart .. traceEnd)`. A decoded
   * chunk's records share one array (no array per record on the main thread).
   */
  readonly traceIds: ArrayLike<number> | undefined;
  readonly traceStart: number;
  readonly traceEnd: number;
  /** --diff full text. */
  readonly text: string | undefined;
}

export class RecordPlanner {
  readonly keys: TraceKeys | undefined;

  constructor(
    private readonly mapping: MappingSettings,
    private readonly diff: DiffMode,
    keys: { base: number; stride: number } = { base: 0, stride: 1 },
  ) {
    this.keys = diff === 'none' ? undefined : new TraceKeys(keys.base, keys.stride);
  }

  /** `sourceChars`: the length of the line the record was parsed from, when known (see MapOptions). */
  plan(item: InputItem, sourceChars?: number): Planned {
    const { file, line, end } = item;
    if (item.kind === 'malformed') return this.#rejected(item, item.reason, JSON.stringify({ file, line, reason: item.reason, raw: item.raw }));
    const shape = checkShape(item.value);
    if (!shape.ok) {
      return this.#rejected(item, shape.reason, JSON.stringify({ file, line, reason: shape.reason, field: shape.field, record: item.value }));
    }
    const msg = shape.msg;
    const id = msg.messageId;
    const hash = (typeof id === 'string' && id !== '') || typeof id === 'number' ? hashId(String(id)) : undefined;
    const keys = this.keys;
    const result = mapMessage(msg, this.mapping, { trace: keys !== undefined, sourceChars });
    const text = this.diff === 'full' ? recordText(`${file}:${line}`, msg, result) : undefined;
    if (result.fate === 'skipped') {
      const traces = keys ? [keys.fate(`skipped: ${result.reason}`, result.detail)] : undefined;
      return planned(file, line, end, SKIPPED[result.reason], hash, none, 0, 0, 0, 0, undefined, traces, text);
    }
    const traces = keys ? result.trace.map((t) => keys.field(t)) : undefined;
    if (keys && result.fate === 'rejected') traces!.push(keys.fate('rejected', result.reason));
    const items: RequestItem[] = [];
    let attributes = 0;
    let events = 0;
    let purchases = 0;
    let points = 0;
    for (const object of result.objects) {
      items.push({ array: object.kind, json: JSON.stringify(object.body) });
      if (object.kind === 'attributes') attributes++;
      else if (object.kind === 'events') events++;
      else purchases++;
      points += dataPoints(object);
    }
    const rejectLine = result.fate === 'rejected' ? JSON.stringify({ file, line, reason: result.reason, field: result.field, record: msg }) : undefined;
    const fate = result.fate === 'sent' ? REPLAY_KEYS.sent : REPLAY_KEYS.rejected;
    return planned(file, line, end, fate, hash, items, attributes, events, purchases, points, rejectLine, traces, text);
  }

  #rejected(item: InputItem, reason: string, rejectLine: string): Planned {
    const { file, line, end } = item;
    const traces = this.keys ? [this.keys.fate('rejected', reason)] : undefined;
    const text = this.diff === 'full' ? `${file}:${line}  rejected: ${reason}\n` : undefined;
    return planned(file, line, end, REPLAY_KEYS.rejected, undefined, none, 0, 0, 0, 0, rejectLine, traces, text);
  }
}

const none: readonly RequestItem[] = [];
/** The counter key of each skip reason. */
export const SKIPPED: Readonly<Record<SkipReason, string>> = {
  anonymous: 'records.skipped.anonymous',
  duplicate: 'records.skipped.duplicate',
  brazeOrigin: 'records.skipped.brazeOrigin',
  notMapped: 'records.skipped.notMapped',
  filtered: 'records.skipped.filtered',
};

/**
 * Every Planned is made here, so that all have one shape (one hidden class): spreading a shared
 * "empty" object into some of them made the hot path several times slower.
 */
function planned(
  file: string,
  line: number,
  end: number,
  fate: string,
  hash: readonly [number, number] | undefined,
  items: readonly RequestItem[],
  attributes: number,
  events: number,
  purchases: number,
  dataPoints: number,
  rejectLine: string | undefined,
  traces: readonly number[] | undefined,
  text: string | undefined,
): Planned {
  const traceEnd = traces?.length ?? 0;
  return { file, line, end, fate, hash, items, attributes, events, purchases, dataPoints, rejectLine, traceIds: traces, traceStart: 0, traceEnd, text };
}
