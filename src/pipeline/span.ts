import { identifiedByKey } from './fates.js';
import type { Delivery, RequestItem } from '../braze/types.js';
import type { Cursor } from '../state/checkpoint.js';
import type { Marks } from '../state/run-memory.js';
import type { Unit } from './unit.js';
import { addCount, type CounterKey, type Counts, type Fate, type FateKeys } from './fates.js';

/**
 * A record with objects to send, as the acknowledgement side sees it: its objects may sit in two
 * requests, and Braze may refuse one of them after the record was counted as sent.
 */
export interface Ticket {
  readonly file: string;
  readonly line: number;
  /** The counter the record's fate went to (or will go to). */
  fate: Fate;
  /** Set once the record was counted, to the span that holds its count. */
  span: Span | undefined;
  /** True once any of its objects was refused (locally or by Braze). */
  rejected: boolean;
}

/** One object in a request, with the record it came from. */
export interface Slot {
  readonly item: RequestItem;
  readonly ticket: Ticket;
}

/** Braze refused one of the record's objects: a record counted as sent is counted rejected instead. */
export function refuse(ticket: Ticket, keys: FateKeys): void {
  if (ticket.rejected) return;
  ticket.rejected = true;
  if (ticket.span && ticket.fate === keys.sent) {
    addCount(ticket.span.counts, keys.sent, -1);
    addCount(ticket.span.counts, keys.rejected);
    ticket.fate = keys.rejected;
  }
}

/**
 * The work between two resume points: the records counted since the previous one (their counter
 * deltas and rejects-file lines) and the request that closed it. Spans commit strictly in order,
 * each only once its request (and every earlier one) is acknowledged, so what a checkpoint says was
 * done is always contiguous from the start (style.md habit 5; Vector's ordered finaliser).
 */
export class Span {
  /** The report's counters; those counted per record wait in `tally` until fold(). */
  readonly counts: Counts = {};
  readonly tally = new Tally();
  readonly rejectLines: string[] = [];
  readonly requestLines: string[] = [];
  records = 0;
  /** Set when the span is closed. */
  cursor: Cursor | undefined;
  /** The run's memories at `cursor` (set when the span is closed). */
  memory: Marks | undefined;
  nextRequest = 0;
  acked = false;
  /**
   * The record whose objects straddle this span's end (its first objects are in this span's
   * request): if Braze refuses one of them, the resume point must say so (cursor.skipRejected).
   */
  spanning: Ticket | undefined;

  /** Counts a record taken into this span; `ticket` follows a record with objects to its acknowledgement. */
  count(unit: Unit, ticket: Ticket | undefined, keys: FateKeys): void {
    const tally = this.tally;
    tally.read++;
    const fate = ticket?.rejected && unit.fate === keys.sent ? keys.rejected : unit.fate;
    tally.fate(fate);
    if (unit.also !== undefined) tally.fate(unit.also);
    if (unit.identifiedBy !== undefined && fate === keys.sent) tally.fate(identifiedByKey(unit.identifiedBy));
    if (unit.attributes) tally.attributes += unit.attributes;
    if (unit.events) tally.events += unit.events;
    if (unit.purchases) tally.purchases += unit.purchases;
    if (unit.dataPoints) tally.dataPoints += unit.dataPoints;
    if (unit.invalidUtf8) tally.invalidUtf8++;
    if (unit.attributesUnchanged) tally.attributesUnchanged += unit.attributesUnchanged;
    if (unit.dataPointsSaved) tally.dataPointsSaved += unit.dataPointsSaved;
    if (unit.rejectLine !== undefined) this.rejectLines.push(unit.rejectLine);
    if (ticket) {
      ticket.fate = fate;
      ticket.span = this;
    }
  }

  /** The span's request was acknowledged (its refusals already counted). */
  acknowledge(delivery: Delivery): void {
    addCount(this.counts, 'requests.sent', delivery.httpRequests);
    addCount(this.counts, 'requests.retried', delivery.retries);
    if (delivery.deleted !== undefined) addCount(this.counts, 'braze.deleted', delivery.deleted);
    if (delivery.recorded !== undefined) {
      this.requestLines.push(delivery.recorded);
      addCount(this.counts, 'requests.kept');
    }
    this.acked = true;
  }

  /** Moves the per-record counters into `counts` (when the span is closed, and for progress). */
  fold(readKey: FateKeys['read']): void {
    const t = this.tally;
    if (t.read > 0) addCount(this.counts, readKey, t.read);
    for (let i = 0; i < t.fates.length; i++) addCount(this.counts, t.fates[i]!, t.fateCounts[i]!);
    if (t.attributes > 0) addCount(this.counts, 'objects.attributes', t.attributes);
    if (t.events > 0) addCount(this.counts, 'objects.events', t.events);
    if (t.purchases > 0) addCount(this.counts, 'objects.purchases', t.purchases);
    if (t.dataPoints > 0) addCount(this.counts, 'dataPoints', t.dataPoints);
    if (t.invalidUtf8 > 0) addCount(this.counts, 'records.invalidUtf8', t.invalidUtf8);
    if (t.attributesUnchanged > 0) addCount(this.counts, 'objects.attributesUnchanged', t.attributesUnchanged);
    if (t.dataPointsSaved > 0) addCount(this.counts, 'dataPointsSaved', t.dataPointsSaved);
    t.reset();
  }
}

/**
 * The counters every record adds to, as plain numbers and a short list of fates: counting each
 * record into the report's dictionary by key was about six megamorphic keyed updates per record on
 * the main thread.
 */
export class Tally {
  read = 0;
  attributes = 0;
  events = 0;
  purchases = 0;
  dataPoints = 0;
  /** Records whose text held invalid UTF-8 (a count beside the fates, not one of them). */
  invalidUtf8 = 0;
  attributesUnchanged = 0;
  dataPointsSaved = 0;
  /** Fate counter keys (a handful), and how many records went to each. */
  fates: CounterKey[] = [];
  fateCounts: number[] = [];

  fate(key: CounterKey): void {
    const i = this.fates.indexOf(key);
    if (i >= 0) this.fateCounts[i]!++;
    else {
      this.fates.push(key);
      this.fateCounts.push(1);
    }
  }

  reset(): void {
    this.read = this.attributes = this.events = this.purchases = this.dataPoints = this.invalidUtf8 = 0;
    this.attributesUnchanged = this.dataPointsSaved = 0;
    this.fates = [];
    this.fateCounts = [];
  }
}
