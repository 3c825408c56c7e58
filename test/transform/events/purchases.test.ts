import { describe, expect, it } from 'vitest';
import { mapMessage } from '../../../src/transform/map-message.js';
import { splitQuantity } from '../../../src/transform/events/purchases.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../../src/transform/types.js';

const classic = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'none', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});
const actions = (over: Partial<MappingSettings> = {}): MappingSettings => classic({ preset: 'actions', time: 'receivedAt', ...over });

const TS = '2025-03-02T10:15:00.000Z';
const order = (properties: Record<string, unknown>, event = 'Order Completed'): SegmentMessage => ({
  type: 'track', userId: 'u1', event, timestamp: TS, receivedAt: TS, properties,
});
const run = (msg: SegmentMessage, settings = classic()): MapResult => mapMessage(msg, settings, { trace: true });
const bodies = (result: MapResult) => (result.fate === 'skipped' ? [] : result.objects.map((o) => ({ kind: o.kind, ...o.body })));
const purchase = (fields: Record<string, unknown>) => ({ kind: 'purchases', external_id: 'u1', currency: 'USD', quantity: 1, time: TS, ...fields });

describe('Order Completed -> purchases (classic)', () => {
  it('makes one purchase per product and no custom event', () => {
    const result = run(order({ order_id: 'o1', products: [{ product_id: 'p1', price: 10 }, { product_id: 'p2', price: 5, quantity: 2 }] }));
    expect(result.fate).toBe('sent');
    expect(bodies(result)).toEqual([
      purchase({ product_id: 'p1', price: 10, properties: { order_id: 'o1' } }),
      purchase({ product_id: 'p2', price: 5, quantity: 2, properties: { order_id: 'o1' } }),
    ]);
  });

  it('also takes the v1 name Completed Order', () => {
    expect(bodies(run(order({ products: [{ product_id: 'p1', price: 1 }] }, 'Completed Order')))).toEqual([purchase({ product_id: 'p1', price: 1 })]);
  });

  it('sends an Order Completed without products as a custom event, reported in the trace', () => {
    const result = run(order({ order_id: 'o1', total: 3 }));
    expect(bodies(result)).toEqual([{ kind: 'events', external_id: 'u1', name: 'Order Completed', time: TS, properties: { order_id: 'o1', total: 3 } }]);
    expect(result.trace).toContainEqual({
      from: 'event', to: 'events[0].name', action: 'changed', reason: 'Order Completed without products is sent as a custom event', value: 'Order Completed',
    });
  });

  it('keeps other tracks with products as custom events', () => {
    expect(bodies(run(order({ products: [{ product_id: 'p1', price: 1 }] }, 'Cart Viewed')))[0]).toMatchObject({ kind: 'events', name: 'Cart Viewed' });
  });

  it.each([['product_id', 'p'], ['productId', 'p'], ['id', 'p'], ['sku', 'p']])('takes product_id from %s', (key, value) => {
    expect(bodies(run(order({ products: [{ [key]: value, price: 1 }] })))).toEqual([purchase({ product_id: 'p', price: 1 })]);
  });

  it('prefers product_id, then productId, then id, then sku; the others stay properties', () => {
    expect(bodies(run(order({ products: [{ sku: 's', id: 'i', price: 1 }] })))).toEqual([purchase({ product_id: 'i', price: 1, properties: { sku: 's' } })]);
  });

  it('converts a numeric product_id and a numeric-string price and quantity', () => {
    expect(bodies(run(order({ products: [{ product_id: 12, price: '9.99', quantity: '3' }] })))).toEqual([
      purchase({ product_id: '12', price: 9.99, quantity: 3 }),
    ]);
  });

  it('takes currency from the product, else the order, upper-cased', () => {
    const result = run(order({ currency: 'eur', products: [{ product_id: 'a', price: 1 }, { product_id: 'b', price: 1, currency: 'gbp' }] }));
    expect(bodies(result)).toEqual([purchase({ product_id: 'a', price: 1, currency: 'EUR' }), purchase({ product_id: 'b', price: 1, currency: 'GBP' })]);
  });

  it('lets the product win over order keys in properties and leaves out products and currency', () => {
    const result = run(order({ order_id: 'o1', coupon: 'X', currency: 'EUR', products: [{ product_id: 'a', price: 1, name: 'Pen', coupon: 'P' }] }));
    expect(bodies(result)).toEqual([purchase({ product_id: 'a', price: 1, currency: 'EUR', properties: { name: 'Pen', coupon: 'P', order_id: 'o1' } })]);
  });

  it('applies the event property key rules to purchase properties', () => {
    const result = run(order({ time: 1, products: [{ product_id: 'a', price: 1, $x: 1, note: 'n'.repeat(256) }] }));
    expect(bodies(result)).toEqual([purchase({ product_id: 'a', price: 1, properties: { note: 'n'.repeat(255) } })]);
  });

  it('keeps quantity 100 in one purchase and splits 101 into 100 + 1', () => {
    expect(bodies(run(order({ products: [{ product_id: 'a', price: 1, quantity: 100 }] })))).toEqual([purchase({ product_id: 'a', price: 1, quantity: 100 })]);
    expect(bodies(run(order({ products: [{ product_id: 'a', price: 1, quantity: 101 }] })))).toEqual([
      purchase({ product_id: 'a', price: 1, quantity: 100 }),
      purchase({ product_id: 'a', price: 1, quantity: 1 }),
    ]);
  });

  it('splits 250 into 100, 100, 50', () => {
    expect(splitQuantity(250)).toEqual([100, 100, 50]);
  });

  it('refuses quantities over 10000 rather than making thousands of objects', () => {
    expect(bodies(run(order({ products: [{ product_id: 'a', price: 1, quantity: 10_000 }] })))).toHaveLength(100);
    expect(run(order({ products: [{ product_id: 'a', price: 1, quantity: 10_001 }] }))).toMatchObject({
      fate: 'rejected', reason: 'products[0]: quantity 10001 is over 10000',
    });
  });

  it.each([
    [{ price: 1 }, 'product_id missing'],
    [{ product_id: '', price: 1 }, 'product_id is empty'],
    [{ product_id: 'p'.repeat(256), price: 1 }, 'product_id longer than 255 characters'],
    [{ product_id: 'a' }, 'price missing'],
    [{ product_id: 'a', price: 'abc' }, 'price "abc" is not a number'],
    [{ product_id: 'a', price: 1, quantity: 0 }, 'quantity 0 is not an integer >= 1'],
    [{ product_id: 'a', price: 1, quantity: -2 }, 'quantity -2 is not an integer >= 1'],
    [{ product_id: 'a', price: 1, quantity: 1.5 }, 'quantity 1.5 is not an integer >= 1'],
    [{ product_id: 'a', price: 1, quantity: 'many' }, 'quantity "many" is not an integer >= 1'],
    [{ product_id: 'a', price: 1, currency: 'XYZ' }, 'currency "XYZ" is not an ISO 4217 code'],
  ])('rejects product %j: %s', (product, reason) => {
    expect(run(order({ products: [product] }))).toMatchObject({ fate: 'rejected', reason: `products[0]: ${reason}`, field: 'properties.products', objects: [] });
  });

  it('accepts a product_id of 255 characters', () => {
    expect(bodies(run(order({ products: [{ product_id: 'p'.repeat(255), price: 1 }] })))).toEqual([purchase({ product_id: 'p'.repeat(255), price: 1 })]);
  });

  it('rejects a partly invalid order but keeps its good purchases', () => {
    const result = run(order({ products: [{ product_id: 'a', price: 1 }, { product_id: 'b' }, { price: 2 }] }));
    expect(result.fate).toBe('rejected');
    expect(result).toMatchObject({ reason: 'products[1]: price missing; products[2]: product_id missing', field: 'properties.products' });
    expect(bodies(result)).toEqual([purchase({ product_id: 'a', price: 1 })]);
  });

  it('adds app_id and _update_existing_only to purchases', () => {
    expect(bodies(run(order({ products: [{ product_id: 'a', price: 1 }] }), classic({ appId: 'app', updateExistingOnly: true })))).toEqual([
      purchase({ app_id: 'app', product_id: 'a', price: 1, _update_existing_only: true }),
    ]);
  });

  it('traces product fields to their purchase', () => {
    const result = run(order({ order_id: 'o1', products: [{ product_id: 'a', price: '2' }, { sku: 'b', price: 1, quantity: 150 }] }));
    expect(result.trace).toEqual(expect.arrayContaining([
      { from: 'properties.products[0].product_id', to: 'purchases[0].product_id', action: 'mapped' },
      { from: 'properties.products[0].price', to: 'purchases[0].price', action: 'mapped', value: 2 },
      { from: 'properties.order_id', to: 'purchases[0].properties.order_id', action: 'mapped' },
      { from: 'properties.products[1].sku', to: 'purchases[1].product_id', action: 'mapped' },
      { from: 'properties.products[1].quantity', to: 'purchases[1].quantity', action: 'changed', reason: 'split into 2 purchases of at most 100', value: [100, 50] },
    ]));
  });

  it('traces an order key once, with the first purchase, and a product key with its own purchase', () => {
    const result = run(order({ order_id: 'o1', products: [{ product_id: 'a', price: 1 }, { product_id: 'b', price: 1, color: 'red' }] }));
    const traced = (from: string) => result.trace.filter((t) => t.from === from).map(({ from: f, to, action }) => ({ from: f, to, action }));
    expect(traced('properties.order_id')).toEqual([{ from: 'properties.order_id', to: 'purchases[0].properties.order_id', action: 'mapped' }]);
    expect(traced('properties.products[1].color')).toEqual([{ from: 'properties.products[1].color', to: 'purchases[1].properties.color', action: 'mapped' }]);
    expect(bodies(result)[1]).toMatchObject({ properties: { order_id: 'o1', color: 'red' } });
  });
});

describe('--purchases modes', () => {
  const withProducts = (event: string) => order({ products: [{ product_id: 'a', price: 1 }] }, event);

  it('products: any track with products becomes purchases', () => {
    expect(bodies(run(withProducts('Cart Checked Out'), classic({ purchases: 'products' })))).toEqual([purchase({ product_id: 'a', price: 1 })]);
  });

  it('products: a revenue-only track stays an event', () => {
    expect(bodies(run(order({ revenue: 5 }, 'Upgraded'), classic({ purchases: 'products' })))[0]).toMatchObject({ kind: 'events' });
  });

  it('revenue: a track with numeric revenue and no products is one purchase named after the event', () => {
    const result = run(order({ revenue: '12.5', currency: 'eur', plan: 'pro' }, 'Upgraded'), classic({ purchases: 'revenue' }));
    expect(bodies(result)).toEqual([purchase({ product_id: 'Upgraded', price: 12.5, currency: 'EUR', properties: { plan: 'pro' } })]);
  });

  it('revenue: products still win over revenue', () => {
    expect(bodies(run(order({ revenue: 9, products: [{ product_id: 'a', price: 1 }] }, 'X'), classic({ purchases: 'revenue' })))).toEqual([
      purchase({ product_id: 'a', price: 1, properties: { revenue: 9 } }),
    ]);
  });

  it('revenue: a non-numeric revenue stays an event', () => {
    expect(bodies(run(order({ revenue: 'lots' }, 'X'), classic({ purchases: 'revenue' })))[0]).toMatchObject({ kind: 'events' });
  });

  it('none: Order Completed with products is a custom event', () => {
    expect(bodies(run(withProducts('Order Completed'), classic({ purchases: 'none' })))).toEqual([
      { kind: 'events', external_id: 'u1', name: 'Order Completed', time: TS, properties: { products: [{ product_id: 'a', price: 1 }] } },
    ]);
  });
});

describe('purchases, actions preset', () => {
  it('uses the product currency else USD, never the order currency', () => {
    const result = run(order({ currency: 'EUR', products: [{ product_id: 'a', price: 1 }] }), actions());
    expect(bodies(result)).toEqual([purchase({ product_id: 'a', price: 1, properties: { currency: 'EUR' } })]);
  });

  it('overlays product keys with order keys (order wins), except products', () => {
    const result = run(order({ order_id: 'o1', coupon: 'ORDER', products: [{ product_id: 'a', price: 1, currency: 'gbp', coupon: 'P', name: 'Pen' }] }), actions());
    expect(bodies(result)).toEqual([purchase({ product_id: 'a', price: 1, currency: 'GBP', properties: { coupon: 'ORDER', name: 'Pen', order_id: 'o1' } })]);
  });
});
