import { describe, expect, it } from 'vitest';
import { readIds, type IdItem, type IdReadOptions } from '../../src/input/id-list.js';
import { collect, inputFile, STDIN, stdinOf, tempDir, writeFixture } from './fixtures.js';

const dir = tempDir();
const external: IdReadOptions = { idType: 'external_id' };

function ids(items: IdItem[]): Array<[number, unknown]> {
  return items.map((item) => [item.line, item.kind === 'id' ? item.id : `! ${item.reason}`]);
}

async function read(name: string, content: string | Buffer, options: IdReadOptions = external): Promise<IdItem[]> {
  return collect(readIds(inputFile(writeFixture(dir, name, content)), options));
}

describe('readIds: text', () => {
  const text = '# users to delete\n  u1  \n\nu2\r\n' + 'x'.repeat(256) + '\nbad\u0007id\n' + 'y'.repeat(255) + '\n';

  it.each(['ids.txt', 'ids.txt.gz'])('reads %s: trimmed, comments and blank lines ignored, bad IDs rejected', async (name) => {
    expect(ids(await read(name, text))).toEqual([
      [2, 'u1'],
      [4, 'u2'],
      [5, '! ID is longer than 255 characters (256)'],
      [6, '! ID contains control characters'],
      [7, 'y'.repeat(255)],
    ]);
  });

  it('gives file, line and end offset', async () => {
    expect(await read('one.txt', 'a\nb')).toEqual([
      { kind: 'id', file: 'one.txt', line: 1, end: 2, id: 'a' },
      { kind: 'id', file: 'one.txt', line: 2, end: 3, id: 'b' },
    ]);
  });

  it('does not de-duplicate', async () => {
    expect(ids(await read('dup.txt', 'a\na\n'))).toEqual([[1, 'a'], [2, 'a']]);
  });

  it('makes aliases with the given label, and rejects them without one', async () => {
    expect(ids(await read('alias.txt', 'n1\n', { idType: 'user_alias', aliasLabel: 'crm' }))).toEqual([
      [1, { alias_name: 'n1', alias_label: 'crm' }],
    ]);
    expect(ids(await read('alias.txt', 'n1\n', { idType: 'user_alias' }))).toEqual([
      [1, '! user alias has no label (give --alias-label or an alias_label column)'],
    ]);
  });

  it('resumes after start.line', async () => {
    expect(ids(await read('resume.txt', 'a\nb\nc\n', { ...external, start: { line: 2, offset: 4 } }))).toEqual([[3, 'c']]);
  });
});

describe('readIds: CSV', () => {
  it.each(['ids.csv', 'ids.csv.gz'])('reads %s from the first default column present', async (name) => {
    const csv = 'email,user_id,external_id\na@b.co,x,e1\nc@d.co,y,\n\n" e3 ",z," e4 "\n';
    expect(ids(await read(name, csv))).toEqual([
      [2, 'e1'],
      [3, '! row has no "external_id" value'],
      [5, 'e4'],
    ]);
  });

  it('reads the --column column', async () => {
    expect(ids(await read('col.csv', 'a,b\n1,2\n', { ...external, column: 'b' }))).toEqual([[2, '2']]);
  });

  it('rejects a header without the column once, then stops', async () => {
    expect(ids(await read('nocol.csv', 'a,b\n1,2\n3,4\n'))).toEqual([
      [1, '! no "external_id", "userId", "user_id", "id" column in the header'],
    ]);
  });

  it('reads aliases from alias_name and alias_label columns', async () => {
    const csv = 'alias_name,alias_label\nn1,crm\nn2,\n';
    expect(ids(await read('alias.csv', csv, { idType: 'user_alias' }))).toEqual([
      [2, { alias_name: 'n1', alias_label: 'crm' }],
      [3, '! user alias has no label (give --alias-label or an alias_label column)'],
    ]);
  });

  it('reads aliases from a column plus the --alias-label', async () => {
    const csv = 'userId\nn1\n';
    expect(ids(await read('alias2.csv', csv, { idType: 'user_alias', aliasLabel: 'crm' }))).toEqual([
      [2, { alias_name: 'n1', alias_label: 'crm' }],
    ]);
  });

  it('reads braze_id columns for --id-type braze_id', async () => {
    expect(ids(await read('braze.csv', 'external_id,braze_id\ne1,b1\n', { idType: 'braze_id' }))).toEqual([[2, 'b1']]);
  });
});

describe('readIds: NDJSON', () => {
  const text = '{"userId":"u1"}\n{"external_id":" e2 "}\n{"traits":{}}\nnope\n[1]\n{"userId":42}\n';

  it.each(['ids.ndjson', 'ids.ndjson.gz'])('reads %s: userId, then external_id', async (name) => {
    const items = await read(name, text);
    expect(ids(items)).toEqual([
      [1, 'u1'],
      [2, 'e2'],
      [3, '! line has no "userId" or "external_id" value'],
      [4, expect.stringMatching(/^! invalid JSON: /)],
      [5, '! line is not a JSON object'],
      [6, '42'],
    ]);
    expect(items[3]).toMatchObject({ kind: 'malformed', file: name, raw: 'nope' });
  });

  it('reads the --field dot path', async () => {
    const items = await read('field.ndjson', '{"context":{"traits":{"id":"c1"}}}\n', { ...external, field: 'context.traits.id' });
    expect(ids(items)).toEqual([[1, 'c1']]);
  });

  it('reads aliases from alias_name and alias_label fields', async () => {
    const items = await read('alias.ndjson', '{"alias_name":"n1","alias_label":"crm"}\n', { idType: 'user_alias' });
    expect(ids(items)).toEqual([[1, { alias_name: 'n1', alias_label: 'crm' }]]);
  });
});

describe('readIds: stdin and sniffing', () => {
  it('reads single-column text on stdin as a .txt', async () => {
    const items = await collect(readIds(STDIN, { ...external, stdin: stdinOf('u1\nu', '2\n') }));
    expect(ids(items)).toEqual([[1, 'u1'], [2, 'u2']]);
  });

  it('reads CSV on stdin when the first line has a comma or names an ID column', async () => {
    expect(ids(await collect(readIds(STDIN, { ...external, stdin: stdinOf('external_id,x\ne1,1\n') })))).toEqual([[2, 'e1']]);
    expect(ids(await collect(readIds(STDIN, { ...external, stdin: stdinOf('external_id\ne1\n') })))).toEqual([[2, 'e1']]);
  });

  it('reads NDJSON on stdin', async () => {
    expect(ids(await collect(readIds(STDIN, { ...external, stdin: stdinOf('{"userId":"u1"}\n') })))).toEqual([[1, 'u1']]);
  });

  it('sniffs a gzipped file without a known extension', async () => {
    expect(ids(await read('list.gz', 'u1\nu2\n'))).toEqual([[1, 'u1'], [2, 'u2']]);
  });
});
