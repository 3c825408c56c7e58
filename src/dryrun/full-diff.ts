import type { RequestItem } from '../braze/types.js';
import type { DecisionListener, PlannedAccount } from '../pipeline/decisions/listener.js';
import { ATTRIBUTE_WORDS } from '../transform/attributes/attribute-pieces.js';
import { jsonString } from './data-point-totals.js';

/**
 * `--diff full`: every record's text as the run thread decides it, in input order (cli.md "Dry run"):
 * a duplicate's one line; a kept record's own text (the planner's, record-text.ts), then under it what
 * --attributes changed left out of each object and what is sent instead, then whether that left
 * nothing to send. Printed at once, not through the ledger: a resumed run prints what it plans.
 */
export class FullDiff implements DecisionListener {
  constructor(private readonly print: (text: string) => void) {}

  duplicate(file: string, line: number): void {
    this.print(`${file}:${line}  skipped (duplicate): messageId seen earlier in the run\n`);
  }

  kept(record: PlannedAccount): void {
    if (record.text !== undefined) this.print(record.text);
  }

  object(_file: string, _line: number, planned: RequestItem, keep: Uint8Array | undefined, sent: RequestItem): void {
    if (keep !== undefined) this.print(leftOut(planned, keep, sent));
  }

  unchanged(): void {
    this.print('    -> skipped (unchanged): nothing left to send\n');
  }
}

/** The lines for an attributes object some of whose attributes were left out (`keep[a]` 0). */
function leftOut(planned: RequestItem, keep: Uint8Array, sent: RequestItem): string {
  const json = planned.json!;
  const words = planned.attrs!;
  const names: string[] = [];
  for (let a = 0, w = 2; w < words.length; a++, w += ATTRIBUTE_WORDS) {
    if (keep[a] === 1) continue;
    // A piece is `"key":value`.
    names.push(jsonString(json, words[w]!));
  }
  const what = `    left out, the value last sent to the user (--attributes changed): ${names.map((n) => `attributes.${n}`).join(', ')}\n`;
  return sent.unsent ? `${what}    => attributes: not sent (nothing changed)\n` : `${what}    => attributes as sent: ${sent.json}\n`;
}
