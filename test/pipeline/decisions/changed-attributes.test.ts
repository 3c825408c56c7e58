import { describe, expect, it } from 'vitest';
import type { RequestItem } from '../../../src/braze/types.js';
import { DataPointTotals } from '../../../src/dryrun/data-point-totals.js';
import { ChangedAttributes } from '../../../src/pipeline/decisions/changed-attributes.js';
import type { Unit } from '../../../src/pipeline/unit.js';
import { AttributeMemory } from '../../../src/state/attribute-memory.js';
import { REPLAY_KEYS, SKIPPED } from '../../../src/pipeline/fates.js';
import { attributePieces } from '../../../src/transform/attributes/attribute-pieces.js';

let line = 0;
function identify(traits: Record<string, unknown>, user = 'u1', event?: string): Unit {
  const pieces = attributePieces({ external_id: user, ...traits });
  const items: RequestItem[] = [{ array: 'attributes', json: pieces.json, points: Object.keys(traits).length, attrs: pieces.words }];
  if (event) items.push({ array: 'events', json: JSON.stringify({ external_id: user, name: event }), points: 1 });
  line++;
  return { file: 'a', line, end: line, fate: REPLAY_KEYS.sent, items, attributes: 1, events: event ? 1 : 0, dataPoints: items.reduce((s, i) => s + i.points!, 0) };
}
const sent = (u: Unit) => u.items.filter((i) => !i.unsent).map((i) => JSON.parse(i.json!) as Record<string, unknown>);

describe('ChangedAttributes', () => {
  it('leaves out what was sent, sends changes, and skips a record left with nothing', () => {
    const changed = new ChangedAttributes(new AttributeMemory({ bytes: 4096 }), undefined);
    expect(sent(changed.check(identify({ email: 'a', plan: 'free' })))).toEqual([{ external_id: 'u1', email: 'a', plan: 'free' }]);
    const again = changed.check(identify({ plan: 'free', email: 'a' }));
    expect(again.fate).toBe(SKIPPED.unchanged);
    expect(again).toMatchObject({ attributes: 0, dataPoints: 0, attributesUnchanged: 2, dataPointsSaved: 2 });
    const pro = changed.check(identify({ email: 'a', plan: 'pro' }, 'u1', 'Upgraded'));
    expect(pro.fate).toBe(REPLAY_KEYS.sent);
    expect(sent(pro)).toEqual([{ external_id: 'u1', plan: 'pro' }, { external_id: 'u1', name: 'Upgraded' }]);
    expect(pro).toMatchObject({ attributes: 1, dataPoints: 2, attributesUnchanged: 1, dataPointsSaved: 1 });
    expect(sent(changed.check(identify({ plan: 'free' })))).toEqual([{ external_id: 'u1', plan: 'free' }]);
    expect(sent(changed.check(identify({ plan: 'free' }, 'u2')))).toEqual([{ external_id: 'u2', plan: 'free' }]);
  });

  it('sends again to a user Braze refused an object of', () => {
    const changed = new ChangedAttributes(new AttributeMemory({ bytes: 4096 }), undefined);
    const first = changed.check(identify({ email: 'a' }));
    changed.refused(first.items[0]!);
    expect(sent(changed.check(identify({ email: 'a' })))).toEqual([{ external_id: 'u1', email: 'a' }]);
  });

  it('passes everything with --attributes all (no memory), and counts where the data points go', () => {
    const totals = new DataPointTotals();
    const all = new ChangedAttributes(undefined, totals);
    const u = identify({ email: 'a', 'pl"an': 'free' }, 'u1', 'Order "X"');
    expect(all.check(u)).toBe(u);
    all.check(identify({ email: 'b' }));
    expect(totals.topAttributes()).toEqual([{ name: 'email', dataPoints: 2 }, { name: 'pl"an', dataPoints: 1 }]);
    expect(totals.topEvents()).toEqual([{ name: 'Order "X"', dataPoints: 1 }]);
    // Purchases by product_id (the key may also appear in their properties: the object's own counts).
    const purchase = (product: string, points: number) => ({ array: 'purchases' as const, points, json: JSON.stringify({ external_id: 'u1', product_id: product, price: 1, properties: { product_id: 'nested' } }) });
    totals.item(purchase('sku "1"', 2), undefined);
    totals.item(purchase('sku-2', 1), undefined);
    totals.item(purchase('sku "1"', 2), undefined);
    totals.item({ ...purchase('unsent', 5), unsent: true }, undefined);
    expect(totals.topPurchases()).toEqual([{ name: 'sku "1"', dataPoints: 4 }, { name: 'sku-2', dataPoints: 1 }]);
  });
});
