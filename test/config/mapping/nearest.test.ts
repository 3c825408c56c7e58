import { describe, expect, it } from 'vitest';
import { distance, nearestKey } from '../../../src/config/mapping/nearest.js';

describe('nearest known key', () => {
  it('counts edits', () => {
    expect(distance('rename', 'rename')).toBe(0);
    expect(distance('renam', 'rename')).toBe(1);
    expect(distance('atributes', 'attributes')).toBe(1);
    expect(distance('kitten', 'sitting')).toBe(3);
  });
  it('suggests a close key and nothing for another word', () => {
    expect(nearestKey('dropProperty', ['rename', 'dropProperties', 'addProperties'])).toBe('dropProperties');
    expect(nearestKey('Identifiers', ['version', 'identifiers'])).toBe('identifiers');
    expect(nearestKey('zzzzzz', ['version', 'events'])).toBeUndefined();
  });
});
