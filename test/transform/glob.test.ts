import { describe, expect, it } from 'vitest';
import { globSource } from '../../src/transform/glob.js';

const matches = (glob: string, wild: 'star' | 'star-question', name: string) => new RegExp(`^${globSource(glob, wild)}$`, 'su').test(name);

describe('globSource', () => {
  it('takes * as any characters in both kinds', () => {
    expect(matches('card_*', 'star', 'card_number')).toBe(true);
    expect(matches('card_*', 'star-question', 'card_')).toBe(true);
    expect(matches('card_*', 'star', 'credit_card')).toBe(false);
  });

  it('keeps ? and \\ literal in a mapping file glob (only * is wild there)', () => {
    expect(matches('a?b', 'star', 'a?b')).toBe(true);
    expect(matches('a?b', 'star', 'axb')).toBe(false);
    expect(matches('a\\*', 'star', 'a\\xyz')).toBe(true);
  });

  it('takes ? as one character and \\ as an escape in an --events glob', () => {
    expect(matches('a?b', 'star-question', 'axb')).toBe(true);
    expect(matches('a\\*b', 'star-question', 'a*b')).toBe(true);
    expect(matches('a\\*b', 'star-question', 'axxb')).toBe(false);
  });

  it('escapes the characters regular expressions hold special', () => {
    expect(matches('Order (v2).+[x]|$', 'star', 'Order (v2).+[x]|$')).toBe(true);
    expect(matches('Order (v2).+[x]|$', 'star-question', 'Order v2x')).toBe(false);
  });
});
