import { forEachRow } from './csv/csv-rows.js';
import { parseElement } from './json-array.js';
import { forEachLine, type LineBatch } from './line-batches.js';
import { parseLine } from './ndjson.js';
import type { InputItem } from './types.js';

/**
 * Hands each record of a batch to `each` as an item, the way a planning worker parses it by the
 * batch's form: an NDJSON line or a JSON array's element with JSON.parse (`length`: its text's), a CSV
 * row with csv-parse under its header. Blank lines and rows give none. Returns true when the batch
 * ends its input: a JSON array's element (or a CSV row) that could not be parsed is the input's last
 * item, as it is where a streaming parser stops; the records after it in the batch are not handed out.
 */
export function forEachItem(batch: LineBatch, each: (item: InputItem, length?: number) => void): boolean {
  const { form, file } = batch;
  if (form?.kind === 'rows') return forEachRow(batch, form, each);
  if (form === undefined) {
    forEachLine(batch, (text, line, end, invalidUtf8) => {
      const item = parseLine(file, text, line, end, invalidUtf8);
      if (item) each(item, text.length);
    });
    return false;
  }
  let ended = false;
  forEachLine(batch, (text, line, _end, invalidUtf8) => {
    const item = parseElement(file, text, line, invalidUtf8);
    each(item, text.length);
    ended = item.kind === 'malformed';
    return !ended;
  });
  return ended;
}
