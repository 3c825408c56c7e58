import { describe, expect, it } from 'vitest';
import { dataPoints } from '../../src/transform/data-points.js';

describe('dataPoints', () => {
  it('counts one per attribute set, not identifiers, options or subscriptions', () => {
    const body = {
      external_id: 'u1', first_name: 'A', country: 'FR', email_subscribe: 'opted_in', push_subscribe: 'subscribed', _update_existing_only: true,
    };
    expect(dataPoints({ kind: 'attributes', body })).toBe(2);
  });

  it('counts each leaf of a nested object and an array as one', () => {
    expect(dataPoints({ kind: 'attributes', body: { external_id: 'u1', address: { street: 's', geo: { lat: 1, lon: 2 } }, tags: ['a', 'b'] } })).toBe(4);
  });

  it('counts current_location once', () => {
    expect(dataPoints({ kind: 'attributes', body: { external_id: 'u1', current_location: { latitude: 1, longitude: 2 } } })).toBe(1);
  });

  it('counts an event as one plus one per top-level property', () => {
    expect(dataPoints({ kind: 'events', body: { external_id: 'u1', app_id: 'a', name: 'E', time: 't', properties: { a: 1, b: { c: 1, d: 2 } } } })).toBe(3);
    expect(dataPoints({ kind: 'events', body: { external_id: 'u1', name: 'E', time: 't' } })).toBe(1);
  });

  it('counts a purchase as one plus one per top-level property', () => {
    expect(dataPoints({ kind: 'purchases', body: { external_id: 'u1', product_id: 'p', price: 1, quantity: 1, currency: 'USD', time: 't', properties: { x: 1 } } })).toBe(2);
  });
});
