import type { RequestItem } from '../../braze/types.js';
import type { IdItem, IdType } from '../../input/id-list.js';
import { hashId } from '../../hash.js';
import type { IdSet } from '../../state/dedup/id-set.js';
import { DELETE_KEYS } from '../fates.js';
import type { Unit } from '../unit.js';

const ARRAY: Record<IdType, string> = { external_id: 'external_ids', braze_id: 'braze_ids', user_alias: 'user_aliases' };

/** The de-duplication key of an ID (aliases by label and name). */
function idKey(item: Extract<IdItem, { kind: 'id' }>): string {
  return typeof item.id === 'string' ? item.id : `${item.id.alias_label}\u0000${item.id.alias_name}`;
}

/** Turns one ID line into a Unit: rejected, duplicate (across every input) or to be deleted. */
export class DeletePlanner {
  readonly #array: string;
  constructor(
    idType: IdType,
    /** The run's duplicate filter (the journal), or a plain IdSet for a preview count. */
    private readonly ids: Pick<IdSet, 'add'>,
  ) {
    this.#array = ARRAY[idType];
  }

  plan(item: IdItem): Unit {
    const { file, line, end } = item;
    if (item.kind === 'malformed') {
      return { file, line, end, fate: DELETE_KEYS.rejected, items: [], rejectLine: JSON.stringify({ file, line, reason: item.reason, raw: item.raw }) };
    }
    const [hi, lo] = hashId(idKey(item));
    if (!this.ids.add(hi, lo)) return { file, line, end, fate: DELETE_KEYS.duplicate, items: [] };
    const items: RequestItem[] = [{ array: this.#array, value: item.id }];
    return { file, line, end, fate: DELETE_KEYS.sent, items };
  }
}
