import type { BrazePath, Delivery, PlannedRequest, RequestItem } from '../braze/types.js';
import { requestLine } from '../braze/body.js';
import { FatalRunError } from '../errors.js';
import type { Cursor } from '../state/checkpoint.js';
import type { RequestHistory, RequestLog } from '../state/request-log.js';
import { OrderedCommits, type Committed } from './acks.js';
import { addCount, Segment, type Counts, type Ticket } from './segment.js';
import type { DeliveringSink, Sink } from './sink.js';

/** One input record after planning: its fate and the request items it contributes. */
export interface Unit {
  readonly file: string;
  readonly line: number;
  /** Byte offset after the record (resume seeks here in plain NDJSON). */
  readonly end: number;
  /** Counter key of the record's fate ('records.sent', 'records.skipped.duplicate', 'ids.deleted', ...). */
  readonly fate: string;
  readonly items: readonly RequestItem[];
  /** Objects by kind and Braze data points this record contributes (replay). */
  readonly attributes?: number;
  readonly events?: number;
  readonly purchases?: number;
  readonly dataPoints?: number;
  /** A rejects-file line for a record rejected before sending. */
  readonly rejectLine?: string;
  /** Its text held invalid UTF-8 (records.invalidUtf8, whatever the fate). */
  readonly invalidUtf8?: boolean;
}

/** The counter keys whose meaning the engine needs. */
export interface FateKeys {
  readonly read: string;
  readonly sent: string;
  readonly rejected: string;
}

export interface EngineOptions {
  readonly path: BrazePath;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly sink: Sink;
  readonly keys: FateKeys;
  readonly inDoubt: 'resend' | 'skip';
  readonly history: RequestHistory;
  readonly log: RequestLog | undefined;
  /** Called when segments were committed (the caller saves the checkpoint, throttled). */
  readonly onCommit: () => void;
  /** Called once, when a request fails for good (the run must stop; see `failure`). */
  readonly onFailure?: () => void;
  /** Where the run resumes: the cursor, the request numbering, the journal size and the counters so far. */
  readonly start: { readonly cursor: Cursor; readonly nextRequest: number; readonly ids?: number; readonly counts?: Counts };
  /** Records after which a segment is closed even without a full request (bounds memory). */
  readonly segmentRecords?: number;
  /** Lines of a rejected object for the rejects file. */
  readonly describeRejection: (ticket: Ticket, item: RequestItem, reason: string, request: number) => string;
}

interface Slot {
  readonly item: RequestItem;
  readonly ticket: Ticket;
}

/**
 * Batches units into requests of at most `batchSize` items, sends them through the sink with at
 * most `concurrency` in flight, and commits segments in input order as requests are acknowledged.
 * Resume: requests the log shows as acknowledged are not sent again; requests it shows in flight
 * are in doubt (sent again, or skipped with --in-doubt skip), and counted.
 */
export class Engine {
  readonly inDoubtRequests: number[] = [];
  readonly #commits: OrderedCommits;
  #open = new Segment();
  #batch: Slot[] = [];
  #nextRequest: number;
  #inflight = 0;
  #waiters: Array<() => void> = [];
  #drained: Array<() => void> = [];
  #failure: unknown;
  #position: { fileIndex: number; line: number; offset: number };
  #idsAfterLast = 0;
  #skip: { items: number; rejected: boolean };
  readonly #segmentRecords: number;

  constructor(private readonly options: EngineOptions) {
    const { cursor, nextRequest, ids = 0, counts = {} } = options.start;
    this.#nextRequest = nextRequest;
    this.#position = { fileIndex: cursor.fileIndex, line: cursor.line, offset: cursor.offset };
    this.#skip = { items: cursor.skipItems, rejected: cursor.skipRejected };
    this.#segmentRecords = options.segmentRecords ?? 10_000;
    this.#commits = new OrderedCommits({ cursor, nextRequest, ids, counts: { ...counts }, rejectLines: [], requestLines: [] }, options.onCommit);
  }

  /** Everything committed so far: what the checkpoint records. */
  get committed(): Committed {
    return this.#commits.committed;
  }

  /** Where reading has got to (the last record accepted). */
  get position(): { readonly fileIndex: number; readonly offset: number } {
    return this.#position;
  }

  /** The first error of a request, if any: the caller stops reading when set. */
  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Takes one record. `idsBefore`/`idsAfter` are the de-duplication journal's size before and after
   * this record was planned (a resume point inside the record must not count the record's own ID).
   */
  async accept(unit: Unit, fileIndex: number, idsBefore: number, idsAfter: number): Promise<void> {
    let items = unit.items;
    let ticket: Ticket | undefined;
    if (items.length > 0) {
      ticket = ticketOf(unit);
      if (this.#skip.items > 0) {
        items = items.slice(this.#skip.items);
        ticket.rejected = this.#skip.rejected;
      }
      for (let i = 0; i < items.length; i++) {
        if (this.#batch.length >= this.options.batchSize) {
          const done = unit.items.length - items.length + i;
          await this.#seal({ ...this.#position, skipItems: done, skipRejected: ticket.rejected }, idsBefore, ticket);
        }
        this.#batch.push({ item: items[i]!, ticket });
      }
    }
    this.#skip = { items: 0, rejected: false };
    this.#taken(unit, ticket, fileIndex, idsAfter);
    if (this.#open.records >= this.#segmentRecords) await this.#closeIfLarge();
  }

  /**
   * Takes one record at once, when that seals no request and closes no segment (nearly always), and
   * returns true; returns false, having done nothing, when accept() must be awaited instead. Spares
   * the hot path an async call per record.
   */
  acceptNow(unit: Unit, fileIndex: number, idsAfter: number): boolean {
    const n = unit.items.length;
    const skip = this.#skip;
    if (skip.items > 0 || skip.rejected || this.#batch.length + n > this.options.batchSize) return false;
    if (this.#open.records + 1 >= this.#segmentRecords) return false;
    let ticket: Ticket | undefined;
    if (n > 0) {
      ticket = ticketOf(unit);
      for (let i = 0; i < n; i++) this.#batch.push({ item: unit.items[i]!, ticket });
    }
    this.#taken(unit, ticket, fileIndex, idsAfter);
    return true;
  }

  /** Counts a record whose items are batched and moves the resume position past it. */
  #taken(unit: Unit, ticket: Ticket | undefined, fileIndex: number, idsAfter: number): void {
    this.#count(unit, ticket);
    const position = this.#position;
    position.fileIndex = fileIndex;
    position.line = unit.line;
    position.offset = unit.end;
    this.#idsAfterLast = idsAfter;
    this.#open.records++;
  }

  /** Called after the last record of a file: the resume point moves to the next file. */
  async endFile(fileIndex: number, ids: number): Promise<void> {
    this.#position = { fileIndex: fileIndex + 1, line: 0, offset: 0 };
    this.#idsAfterLast = ids;
    await this.#closeIfLarge();
  }

  /** Closes a segment after many records without a full request (memory and checkpoint progress). */
  async #closeIfLarge(): Promise<void> {
    if (this.#open.records < this.#segmentRecords) return;
    if (this.#batch.length > 0) await this.#seal(this.#cursorHere(), this.#idsAfterLast);
    else this.#closeEmpty();
  }

  /** Sends what is left and waits for every request to be acknowledged. */
  async finish(): Promise<void> {
    if (this.#batch.length > 0) await this.#seal(this.#cursorHere(), this.#idsAfterLast);
    else this.#closeEmpty();
    await this.drain();
  }

  /** Waits until no request is in flight (or `ms` passed); returns how many are still in flight. */
  async drain(ms?: number): Promise<number> {
    if (this.#inflight === 0) return 0;
    await new Promise<void>((resolve) => {
      this.#drained.push(resolve);
      if (ms !== undefined) setTimeout(resolve, ms).unref();
    });
    return this.#inflight;
  }

  #cursorHere(): Cursor {
    return { ...this.#position, skipItems: 0, skipRejected: false };
  }

  #count(unit: Unit, ticket: Ticket | undefined): void {
    const tally = this.#open.tally;
    const { keys } = this.options;
    tally.read++;
    const fate = ticket?.rejected && unit.fate === keys.sent ? keys.rejected : unit.fate;
    tally.fate(fate);
    if (unit.attributes) tally.attributes += unit.attributes;
    if (unit.events) tally.events += unit.events;
    if (unit.purchases) tally.purchases += unit.purchases;
    if (unit.dataPoints) tally.dataPoints += unit.dataPoints;
    if (unit.invalidUtf8) tally.invalidUtf8++;
    if (unit.rejectLine !== undefined) this.#open.rejectLines.push(unit.rejectLine);
    if (ticket) {
      ticket.fate = fate;
      ticket.segment = this.#open;
    }
  }

  #closeEmpty(): void {
    const segment = this.#close(this.#cursorHere(), this.#idsAfterLast);
    segment.acked = true;
    this.#commits.advance();
  }

  #close(cursor: Cursor, ids: number): Segment {
    const segment = this.#open;
    segment.fold(this.options.keys.read);
    segment.cursor = cursor;
    segment.ids = ids;
    segment.nextRequest = this.#nextRequest;
    this.#commits.push(segment);
    this.#open = new Segment();
    return segment;
  }

  async #seal(cursor: Cursor, ids: number, spanning?: Ticket): Promise<void> {
    const number = this.#nextRequest++;
    const slots = this.#batch;
    this.#batch = [];
    const segment = this.#close(cursor, ids);
    segment.spanning = spanning;
    const request: PlannedRequest = { path: this.options.path, items: slots.map((s) => s.item) };
    const { history, inDoubt } = this.options;
    const known = history.acked.get(number);
    if (known) {
      if (known.inDoubt) this.#countInDoubt(number, segment);
      return this.#acknowledge(number, request, slots, segment, known);
    }
    const doubted = history.inDoubt.has(number);
    if (doubted) {
      this.#countInDoubt(number, segment);
      if (inDoubt === 'skip') {
        this.options.log?.acked(number, { ...noDelivery, inDoubt: true });
        return this.#acknowledge(number, request, slots, segment, noDelivery);
      }
    }
    const { sink } = this.options;
    if (!sink.live) return this.#acknowledge(number, request, slots, segment, sink.delivery);
    if (this.#failure !== undefined) throw this.#failure;
    while (this.#inflight >= this.options.concurrency) await new Promise<void>((r) => this.#waiters.push(r));
    if (this.#failure !== undefined) throw this.#failure;
    this.#send(sink, number, request, slots, segment, doubted);
  }

  #countInDoubt(number: number, segment: Segment): void {
    this.inDoubtRequests.push(number);
    addCount(segment.counts, 'requests.inDoubt');
  }

  #send(sink: DeliveringSink, number: number, request: PlannedRequest, slots: Slot[], segment: Segment, doubted: boolean): void {
    // Logged first: a failed log write (full disk) must not leave a request in flight for drain() to wait on forever.
    this.options.log?.sent(number);
    this.#inflight++;
    void this.#await(sink, number, request, slots, segment, doubted);
  }

  async #await(sink: DeliveringSink, number: number, request: PlannedRequest, slots: Slot[], segment: Segment, doubted: boolean): Promise<void> {
    try {
      const delivery = await sink.deliver(request);
      this.options.log?.acked(number, doubted ? { ...delivery, inDoubt: true } : delivery);
      this.#acknowledge(number, request, slots, segment, delivery);
    } catch (error) {
      if (this.#failure === undefined) {
        this.#failure = error instanceof Error ? error : new FatalRunError(String(error));
        this.options.onFailure?.();
      }
    } finally {
      this.#release();
    }
  }

  #release(): void {
    this.#inflight--;
    this.#waiters.shift()?.();
    if (this.#inflight === 0) for (const done of this.#drained.splice(0)) done();
  }

  #acknowledge(number: number, request: PlannedRequest, slots: Slot[], segment: Segment, delivery: Delivery): void {
    const { keys } = this.options;
    for (const rejection of delivery.rejected) {
      const slot = slots[rejection.item];
      if (!slot) continue;
      const { ticket } = slot;
      segment.rejectLines.push(this.options.describeRejection(ticket, slot.item, rejection.reason, number));
      if (ticket.rejected) continue;
      ticket.rejected = true;
      if (ticket.segment && ticket.fate === keys.sent) {
        addCount(ticket.segment.counts, keys.sent, -1);
        addCount(ticket.segment.counts, keys.rejected);
        ticket.fate = keys.rejected;
      }
    }
    addCount(segment.counts, 'requests.sent', delivery.httpRequests);
    addCount(segment.counts, 'requests.retried', delivery.retries);
    if (delivery.deleted !== undefined) addCount(segment.counts, 'braze.deleted', delivery.deleted);
    if (!this.options.sink.live) segment.requestLines.push(requestLine(request));
    segment.acked = true;
    this.#commits.advance();
  }

  /** Counters including work not yet committed (progress display). */
  progress(): Counts {
    this.#open.fold(this.options.keys.read);
    return this.#commits.counts(this.#open);
  }
}

const noDelivery: Delivery = { rejected: [], httpRequests: 0, retries: 0 };

/** How the acknowledgement side follows a record with objects (see Ticket). */
function ticketOf(unit: Unit): Ticket {
  return { file: unit.file, line: unit.line, fate: unit.fate, segment: undefined, rejected: false };
}
