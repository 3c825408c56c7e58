import { hashId } from '../../hash.js';
import { encodeLink, encodeTraits, headInto, HEAD_BYTES, keyOf, LINK, linkLength, linkValueInto, TRAITS_BYTES, traitsValueInto, USER, type LinkEntry, type Traits } from './record.js';
import type { RunWriter } from './sorted-run-writer.js';

/**
 * What the identity index writes of the entries it holds in memory: the journal's records (those
 * changed since the last commit) and a sorted run (all of them).
 */

/** The records of the entries changed since the last commit, for the journal. */
export function changedRecords(links: ReadonlyMap<string, LinkEntry>, changedLinks: Iterable<string>, users: ReadonlyMap<string, Traits>, changedUsers: Iterable<string>): Buffer[] {
  const records: Buffer[] = [];
  for (const id of changedLinks) records.push(encodeLink(keyOf(LINK, id), links.get(id)!));
  for (const id of changedUsers) records.push(encodeTraits(keyOf(USER, id), users.get(id)!));
  return records;
}

/**
 * Writes the entries the index holds in memory as one sorted run, encoding each record straight
 * into the writer's block (a copy of every entry as a Buffer first would double the memory the
 * index pass peaks at). Sorted by (hash, kind, key bytes), as record.ts orders records.
 */
export function writeSorted(links: ReadonlyMap<string, LinkEntry>, users: ReadonlyMap<string, Traits>, out: RunWriter): void {
  const keys = [...links.keys(), ...users.keys()];
  const n = keys.length;
  const his = new Uint32Array(n);
  const los = new Uint32Array(n);
  for (let i = 0; i < n; i++) [his[i], los[i]] = hashId(keys[i]!);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const linkCount = links.size;
  order.sort((a, b) => {
    if (his[a] !== his[b]) return his[a]! < his[b]! ? -1 : 1;
    if (los[a] !== los[b]) return los[a]! < los[b]! ? -1 : 1;
    const kinds = Number(a >= linkCount) - Number(b >= linkCount);
    return kinds !== 0 ? kinds : Buffer.compare(Buffer.from(keys[a]!, 'utf8'), Buffer.from(keys[b]!, 'utf8'));
  });
  for (const i of order) {
    const key = keys[i]!;
    const keyBytes = Buffer.byteLength(key, 'utf8');
    if (i < linkCount) {
      const entry = links.get(key)!;
      const userBytes = Buffer.byteLength(entry[0], 'utf8');
      out.put(linkLength(keyBytes, userBytes), his[i]!, (buf, at) => {
        linkValueInto(buf, headInto(buf, at, his[i]!, los[i]!, LINK, key, keyBytes, 20 + userBytes), entry, userBytes);
      });
    } else {
      out.put(HEAD_BYTES + keyBytes + 4 + TRAITS_BYTES, his[i]!, (buf, at) => {
        traitsValueInto(buf, headInto(buf, at, his[i]!, los[i]!, USER, key, keyBytes, TRAITS_BYTES), users.get(key)!);
      });
    }
  }
}
