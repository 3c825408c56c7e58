import type { RequestItem } from '../braze/types.js';
import type { DiffCollector } from '../dryrun/diff.js';
import type { InputItem } from '../input/types.js';
import type { IdJournal } from '../state/id-journal.js';
import { hashId } from '../state/id-set.js';
import { dataPoints } from '../transform/data-points.js';
import { mapMessage } from '../transform/map-message.js';
import { checkShape } from '../transform/shape.js';
import type { MappingSettings } from '../transform/types.js';
import type { Counts } from './segment.js';
import type { Unit } from './engine.js';

/** Replay's counter keys. */
export const REPLAY_KEYS = { read: 'records.read', sent: 'records.sent', rejected: 'records.rejected' } as const;

/**
 * Turns one input item into a Unit: the fate order of mapping.md §1 (malformed, duplicate, then the
 * mapping's own anonymous / brazeOrigin / filtered / notMapped / validation), the objects to send,
 * and the counters they add. Pure but for the de-duplication journal it is handed.
 */
export class ReplayPlanner {
  constructor(
    private readonly settings: MappingSettings,
    private readonly ids: IdJournal,
    private readonly diff: DiffCollector | undefined,
  ) {}

  plan(item: InputItem): Unit {
    const { file, line, end } = item;
    if (item.kind === 'malformed') {
      this.diff?.observeRejected(file, line, item.reason);
      return rejected(file, line, end, { reason: item.reason, raw: item.raw });
    }
    const shape = checkShape(item.value);
    if (!shape.ok) {
      this.diff?.observeRejected(file, line, shape.reason);
      return rejected(file, line, end, { reason: shape.reason, field: shape.field, record: item.value });
    }
    const msg = shape.msg;
    const messageId = msg.messageId;
    if ((typeof messageId === 'string' && messageId !== '') || typeof messageId === 'number') {
      const [hi, lo] = hashId(String(messageId));
      if (!this.ids.add(hi, lo)) {
        this.diff?.observeSkipped(file, line, 'duplicate', 'messageId seen earlier in the run');
        return { file, line, end, fate: 'records.skipped.duplicate', items: none };
      }
    }
    const result = mapMessage(msg, this.settings, { trace: this.diff !== undefined });
    this.diff?.observe(file, line, msg, result);
    if (result.fate === 'skipped') return { file, line, end, fate: `records.skipped.${result.reason}`, items: none };
    const items: RequestItem[] = [];
    const counts: Counts = {};
    let points = 0;
    for (const object of result.objects) {
      items.push({ array: object.kind, value: object.body });
      const key = `objects.${object.kind}`;
      counts[key] = (counts[key] ?? 0) + 1;
      points += dataPoints(object);
    }
    counts.dataPoints = points;
    if (result.fate === 'sent') return { file, line, end, fate: REPLAY_KEYS.sent, items, counts };
    const rejectLine = JSON.stringify({ file, line, reason: result.reason, field: result.field, record: msg });
    return { file, line, end, fate: REPLAY_KEYS.rejected, items, counts, rejectLine };
  }
}

const none: readonly RequestItem[] = [];

function rejected(file: string, line: number, end: number, detail: Record<string, unknown>): Unit {
  return { file, line, end, fate: REPLAY_KEYS.rejected, items: none, rejectLine: JSON.stringify({ file, line, ...detail }) };
}
