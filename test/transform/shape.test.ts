import { describe, expect, it } from 'vitest';
import { checkShape } from '../../src/transform/shape.js';

describe('checkShape', () => {
  it('accepts an object with a string type', () => {
    const value = { type: 'track', userId: 'u1' };
    expect(checkShape(value)).toEqual({ ok: true, msg: value });
  });

  it.each([[null], [[1, 2]], ['track'], [42]])('rejects %j as not a JSON object', (value) => {
    expect(checkShape(value)).toEqual({ ok: false, reason: 'not a JSON object' });
  });

  it('rejects a missing type, naming the field', () => {
    expect(checkShape({ userId: 'u1' })).toEqual({ ok: false, reason: 'no type', field: 'type' });
  });

  it('rejects a non-string type', () => {
    expect(checkShape({ type: 3 })).toEqual({ ok: false, reason: 'type is not a string', field: 'type' });
  });

  it('rejects an empty type', () => {
    expect(checkShape({ type: '' })).toEqual({ ok: false, reason: 'type is empty', field: 'type' });
  });
});
