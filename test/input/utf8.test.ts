import { describe, expect, it } from 'vitest';
import { replacedInvalidUtf8, validUtf8 } from '../../src/input/utf8.js';

function check(bytes: Buffer): boolean {
  return replacedInvalidUtf8(bytes.toString('utf8'), bytes, 0, bytes.length);
}

describe('replacedInvalidUtf8', () => {
  it.each([
    ['ASCII', Buffer.from('{"event":"Signed Up"}'), false],
    ['valid multi-byte text', Buffer.from('{"event":"Café ☕ 😀"}'), false],
    ['a U+FFFD in the data itself (EF BF BD)', Buffer.from('{"event":"gen \uFFFD"}'), false],
    ['a truncated two-byte character', Buffer.from([...Buffer.from('{"e":"Caf'), 0xc3, ...Buffer.from('"}')]), true],
    ['a truncated four-byte character', Buffer.from([...Buffer.from('{"e":"'), 0xf0, 0x9f, 0x98, ...Buffer.from('"}')]), true],
    ['a stray continuation byte', Buffer.from([...Buffer.from('{"e":"a'), 0x80, ...Buffer.from('"}')]), true],
    ['a Latin-1 byte', Buffer.from([...Buffer.from('{"e":"caf'), 0xe9, ...Buffer.from('"}')]), true],
    ['an overlong encoding', Buffer.from([...Buffer.from('{"e":"'), 0xc0, 0xaf, ...Buffer.from('"}')]), true],
  ])('%s: %s', (_what, bytes, invalid) => {
    expect(check(bytes)).toBe(invalid);
  });

  it('looks only at the given range of the bytes', () => {
    const bytes = Buffer.from([...Buffer.from('ok\n'), 0xc3, ...Buffer.from('\nok')]);
    expect(replacedInvalidUtf8('ok', bytes, 0, 2)).toBe(false);
    expect(replacedInvalidUtf8(bytes.toString('utf8', 3, 4), bytes, 3, 4)).toBe(true);
  });
});

describe('validUtf8 (a whole batch of lines at once)', () => {
  it('accepts valid text, a genuine U+FFFD included, and refuses any invalid byte in it', () => {
    const lines = Buffer.from('{"e":"Café"}\n{"e":"\uFFFD"}\n{"e":"😀"}\n');
    expect(validUtf8(lines)).toBe(true);
    expect(validUtf8(Buffer.concat([lines, Buffer.from([0x7b, 0xc3, 0x7d, 0x0a]), lines]))).toBe(false);
    expect(validUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false); // a UTF-16 surrogate, as WHATWG's strict decoder
  });
});
