import { describe, expect, it } from 'vitest';
import { ArraySplitter } from '../../src/input/array-splitter.js';
import type { ReadStart } from '../../src/input/types.js';

/** What the splitter handed out (each element's text and number) and what broke it, if anything. */
interface Split {
  readonly elements: Array<[string, number]>;
  readonly broken?: { readonly line: number; readonly reason: string };
}

function split(chunks: Buffer[], start?: ReadStart): Split {
  const splitter = new ArraySplitter('a.json', start);
  const elements: Array<[string, number]> = [];
  const onRecord = (buf: Buffer, from: number, to: number, line: number, end: number) => {
    expect(end).toBe(0);
    elements.push([buf.toString('utf8', from, to), line]);
  };
  for (const chunk of chunks) {
    splitter.pushBytes(chunk, onRecord);
    if (splitter.broken) break;
  }
  if (!splitter.broken) splitter.endBytes(onRecord);
  const { broken } = splitter;
  return broken ? { elements, broken: { line: broken.line, reason: broken.reason } } : { elements };
}

/** The text in two chunks cut at `at`. */
const cut = (text: Buffer, at: number) => [text.subarray(0, at), text.subarray(at)];
/** The text a byte at a time. */
const bytes = (text: Buffer) => Array.from(text, (b) => Buffer.from([b]));

/** Elements that hold what could end one too early: brackets, commas and quotes in strings, escapes, nesting. */
const tricky = [
  '{"a":"]},[","b":[1,[2,{"c":"}"}]],"d":{}}',
  '"a string with \\"quotes\\", a \\\\ backslash and ]"',
  '"ends in a backslash \\\\"',
  '{"k\\"":"\\\\\\"","e":"é – ✓ 𝄞"}',
  '-12.5e+3',
  'true',
  'null',
  '[]',
  '{}',
  '[[["deep"]],{"x":[{"y":"[{"}]}]',
];
const trickyText = Buffer.from(`\uFEFF \n[ ${tricky.join(' ,\n\t')} ]\n`);
const trickyElements = tricky.map((text, i): [string, number] => [text, i + 1]);

describe('ArraySplitter', () => {
  it('cuts each element whole, numbered from 1, whatever its strings, escapes and nesting hold', () => {
    expect(split([trickyText])).toEqual({ elements: trickyElements });
    // Every element is the JSON it was.
    expect(split([trickyText]).elements.map(([text]) => JSON.parse(text))).toEqual(JSON.parse(trickyText.toString().slice(1)));
  });

  it('cuts the same wherever the chunks end, even a byte at a time', () => {
    for (let at = 0; at <= trickyText.length; at++) expect(split(cut(trickyText, at))).toEqual({ elements: trickyElements });
    expect(split(bytes(trickyText))).toEqual({ elements: trickyElements });
  });

  it('reads an empty array, and one without whitespace', () => {
    expect(split([Buffer.from('[]')])).toEqual({ elements: [] });
    expect(split([Buffer.from(' [ ] ')])).toEqual({ elements: [] });
    expect(split([Buffer.from('[1,"2",{"3":3}]')])).toEqual({ elements: [['1', 1], ['"2"', 2], ['{"3":3}', 3]] });
  });

  it('passes over the elements up to the resume point, numbering on', () => {
    const text = Buffer.from('[{"n":1},"two,]",{"n":[3]},4]');
    const expected = { elements: [['{"n":[3]}', 3], ['4', 4]] };
    expect(split([text], { line: 2, offset: 0 })).toEqual(expected);
    for (let at = 0; at <= text.length; at++) expect(split(cut(text, at), { line: 2, offset: 0 })).toEqual(expected);
  });

  it('leaves a syntax error inside an element to the parse (the mismatched bracket ends it)', () => {
    expect(split([Buffer.from('[{"a":1],{"b":}]')])).toEqual({ elements: [['{"a":1]', 1], ['{"b":}', 2]] });
  });

  it.each([
    ['no "[" first', '{"a":1}', 1, 'expected "[" but found "{"'],
    ['a missing comma', '[{"a":1} {"b":2}]', 2, 'expected "," or "]" after element 1 but found "{"'],
    ['a missing comma after a number', '[1 2]', 2, 'expected "," or "]" after element 1 but found "2"'],
    ['a doubled comma', '[1,,2]', 2, 'expected a value but found ","'],
    ['a leading comma', '[,1]', 1, 'expected a value but found ","'],
    ['a trailing comma', '[1,]', 2, 'expected a value but found "]"'],
    ['a closing brace for the array', '[1}', 2, 'expected "," or "]" after element 1 but found "}"'],
    ['a closing brace for a value', '[}]', 1, 'expected a value but found "}"'],
    ['text after the array', '[1] [2]', 2, 'unexpected "[" after the end of the array'],
    ['a byte that is not ASCII after it', '[1]\u00e9', 2, 'unexpected byte 0xc3 after the end of the array'],
    ['an array not closed', '[1, 2 ', 3, 'unexpected end of input: the array is not closed'],
    ['an array cut after a comma', '[1,', 2, 'unexpected end of input: the array is not closed'],
    ['an input that ends inside an element', '[{"a":1},{"b":[2', 2, 'unexpected end of input inside the element'],
    ['an input that ends inside a string', '[1,"abc\\"', 2, 'unexpected end of input inside the element'],
  ])('is broken by %s, at the element it names', (_what, text, line, reason) => {
    const got = split([Buffer.from(text)]);
    expect(got.broken).toEqual({ line, reason: `invalid JSON array (element ${line}): ${reason}` });
    // Elements before it were handed out, none after.
    expect(got.elements.every(([, n]) => n < line)).toBe(true);
  });

  it('hands out a number the input ends with, then says the array is not closed', () => {
    expect(split([Buffer.from('[1,23')])).toEqual({
      elements: [['1', 1], ['23', 2]],
      broken: { line: 3, reason: 'invalid JSON array (element 3): unexpected end of input: the array is not closed' },
    });
  });

  it('reports a read error at the element being read, or the next', () => {
    const inside = new ArraySplitter('a.json');
    inside.pushBytes(Buffer.from('[1,{"a"'), () => undefined);
    expect(inside.readFailure(new Error('boom'))).toMatchObject({ kind: 'malformed', file: 'a.json', line: 2, end: 0, reason: 'read error: boom' });
    const between = new ArraySplitter('a.json');
    between.pushBytes(Buffer.from('[1,{"a":2} '), () => undefined);
    expect(between.readFailure(new Error('boom'))).toMatchObject({ line: 3 });
  });

  it('cuts random arrays into their elements at random chunk boundaries', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const strings = ['', 'a', ',', ']', '}', '[', '{', '"', '\\', '\\"', 'é', '\n', 'x\\\\'];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? 0 : Math.floor(random() * 4);
      if (kind === 0) return pick([1, -2.5, true, false, null, pick(strings) + pick(strings)]);
      if (kind === 1) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 3) }, () => [pick(strings), value(depth + 1)]));
    };
    for (let round = 0; round < 200; round++) {
      const array = Array.from({ length: Math.floor(random() * 6) }, () => value(0));
      // Each element's own text, and the array of them with whitespace between: the cut elements are
      // compared as text (JSON.parse of Node 24.21 turned a key "\n" into "\\" after enough parses).
      const elements = array.map((v) => JSON.stringify(v, null, round % 3 === 0 ? 2 : undefined));
      const gap = round % 3 === 0 ? '\n  ' : round % 3 === 1 ? ' ' : '';
      const text = Buffer.from(`[${gap}${elements.join(`,${gap}`)}${gap}]`);
      const chunks: Buffer[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(random() * 8);
        chunks.push(text.subarray(at, at + size));
        at += size;
      }
      const got = split(chunks);
      expect(got.broken).toBeUndefined();
      expect(got.elements.map(([element]) => element.trim())).toEqual(elements);
    }
  });
});
