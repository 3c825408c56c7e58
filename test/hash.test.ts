import { describe, expect, it } from 'vitest';
import { hashId } from '../src/hash.js';

describe('hashId', () => {
  // A state directory keeps these hashes (the duplicate window's journal, the identity index): a
  // resumed run, or one by a later version, must compute the same ones. Values from the first version.
  it('gives the hashes it always gave', () => {
    expect(hashId('')).toEqual([2872998923, 2493946702]);
    expect(hashId('a')).toEqual([3059088326, 1946203806]);
    expect(hashId('msg-000001')).toEqual([366022898, 1933389640]);
    expect(hashId('a-much-longer-message-id-0123456789abcdef-0123456789abcdef')).toEqual([151846011, 1390037415]);
    expect(hashId('é✓😀')).toEqual([826784481, 3402168625]);
    expect(hashId('x'.repeat(1000))).toEqual([2113884488, 3270594510]);
  });
});
