import type { BrazePath, Delivery, PlannedRequest, RequestItem } from '../braze/types.js';
import { FatalRunError } from '../errors.js';
import type { Cursor } from '../state/checkpoint.js';
import type { RequestHistory, RequestLog } from '../state/request-log.js';
import type { Marks, MarkSource } from '../state/run-memory.js';
import { OrderedCommits, type Committed } from './acks.js';
import { addCount, type Counts, type Fate, type FateKeys } from './fates.js';
import { refuse, Span, type Slot, type Ticket } from './span.js';
import { InFlight } from './in-flight.js';
import { DataPointBudget, pointsOf, sendable, type OverBudget } from './budget.js';
import type { Sink } from './sink.js';
import type { Unit } from './unit.js';

/** Records after which a span is closed even without a full request: what the run holds uncommitted stays bounded. */
export const SPAN_RECORDS = 10_000;

export interface EngineOptions {
  readonly path: BrazePath;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly sink: Sink;
  readonly keys: FateKeys;
  readonly inDoubt: 'resend' | 'skip';
  readonly history: RequestHistory;
  readonly log: RequestLog | undefined;
  /** Called when spans were committed (the caller saves the checkpoint, throttled). */
  readonly onCommit: () => void;
  /** Called once, when a request fails for good (the run must stop; see `failure`). */
  readonly onFailure?: () => void;
  /** The run's memories: a span closing after a record takes their mark (see accept for one closing inside). */
  readonly memory: MarkSource;
  /** Where the run resumes: the cursor, the request numbering, the memories' marks and the counters so far. */
  readonly start: { readonly cursor: Cursor; readonly nextRequest: number; readonly memory: Marks; readonly counts?: Counts };
  /** --max-data-points: no request is sent that would take the run's data points past this. */
  readonly budget?: number;
  /** Called for each object Braze refused (--attributes changed forgets what it sent to the user). */
  readonly onRefused?: (item: RequestItem) => void;
  /** Lines of a rejected object for the rejects file. */
  readonly describeRejection: (ticket: Ticket, item: RequestItem, reason: string, request: number) => string;
}

/**
 * Batches units into requests of at most `batchSize` items, sends them through the sink with at
 * most `concurrency` in flight, and commits spans in input order as requests are acknowledged.
 * Resume: requests the log shows as acknowledged are not sent again; requests it shows in flight
 * are in doubt (sent again, or skipped with --in-doubt skip), and counted.
 */
export class Engine {
  readonly inDoubtRequests: number[] = [];
  readonly #commits: OrderedCommits;
  #open = new Span();
  #batch: Slot[] = [];
  #nextRequest: number;
  readonly #inflight = new InFlight();
  #failure: unknown;
  #position: { fileIndex: number; line: number; offset: number };
  #skip: { items: number; rejected: boolean };
  readonly #budget: DataPointBudget;

  constructor(private readonly options: EngineOptions) {
    const { cursor, nextRequest, memory, counts = {} } = options.start;
    this.#nextRequest = nextRequest;
    this.#position = { fileIndex: cursor.fileIndex, line: cursor.line, offset: cursor.offset };
    this.#skip = { items: cursor.skipItems, rejected: cursor.skipRejected };
    this.#budget = new DataPointBudget(options.budget, counts['dataPoints.requested'] ?? 0);
    this.#commits = new OrderedCommits({ cursor, nextRequest, memory, counts: { ...counts }, rejectLines: [], requestLines: [] }, options.onCommit);
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

  /** Set when the next request would have gone past --max-data-points: nothing more is sent. */
  get overBudget(): OverBudget | undefined {
    return this.#budget.over;
  }

  /**
   * Takes one record. `before`: the memories' marks before this record was planned (a resume point
   * inside the record must not remember the record itself, e.g. its message ID).
   */
  async accept(unit: Unit, fileIndex: number, before: Marks): Promise<void> {
    if (this.admits(unit.items.length)) return this.#take(unit, fileIndex);
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
          await this.#seal({ ...this.#position, skipItems: done, skipRejected: ticket.rejected }, before, ticket);
        }
        this.#batch.push({ item: items[i]!, ticket });
      }
    }
    this.#skip = { items: 0, rejected: false };
    this.#taken(unit, ticket, fileIndex);
    if (this.#open.records >= SPAN_RECORDS) await this.#closeIfLarge();
  }

  /**
   * Takes one record at once, when that seals no request and closes no span (nearly always), and
   * returns true; returns false, having done nothing, when accept() must be awaited instead. Spares
   * the hot path an async call per record.
   */
  acceptNow(unit: Unit, fileIndex: number): boolean {
    if (!this.admits(unit.items.length)) return false;
    this.#take(unit, fileIndex);
    return true;
  }

  /**
   * The one admission check: a record of `items` objects is taken at once when it seals no request
   * and closes no span (no objects of a resumed record to skip, room in the batch, the span not full).
   */
  admits(items: number): boolean {
    const skip = this.#skip;
    if (skip.items > 0 || skip.rejected) return false;
    if (this.#batch.length + items > this.options.batchSize) return false;
    return this.#open.records + 1 < SPAN_RECORDS;
  }

  /** Takes an admitted record: its objects join the batch whole. */
  #take(unit: Unit, fileIndex: number): void {
    const n = unit.items.length;
    let ticket: Ticket | undefined;
    if (n > 0) {
      ticket = ticketOf(unit);
      for (let i = 0; i < n; i++) this.#batch.push({ item: unit.items[i]!, ticket });
    }
    this.#taken(unit, ticket, fileIndex);
  }

  /** Counts a record whose items are batched and moves the resume position past it. */
  #taken(unit: Unit, ticket: Ticket | undefined, fileIndex: number): void {
    this.#open.count(unit, ticket, this.options.keys);
    const position = this.#position;
    position.fileIndex = fileIndex;
    position.line = unit.line;
    position.offset = unit.end;
    this.#open.records++;
  }

  /** Called after the last record of a file: the resume point moves to the next file. */
  async endFile(fileIndex: number): Promise<void> {
    this.#position = { fileIndex: fileIndex + 1, line: 0, offset: 0 };
    await this.#closeIfLarge();
  }

  /** Closes a span after many records without a full request (memory and checkpoint progress). */
  async #closeIfLarge(): Promise<void> {
    if (this.#open.records < SPAN_RECORDS) return;
    if (this.#batch.length > 0) await this.#seal(this.#cursorHere(), this.options.memory.mark());
    else this.#closeEmpty();
  }

  /** Sends what is left and waits for every request to be acknowledged. */
  async finish(): Promise<void> {
    if (this.#batch.length > 0) await this.#seal(this.#cursorHere(), this.options.memory.mark());
    else this.#closeEmpty();
    await this.drain();
  }

  /** Waits until no request is in flight (or `ms` passed); returns how many are still in flight. */
  drain(ms?: number): Promise<number> {
    return this.#inflight.drain(ms);
  }

  #cursorHere(): Cursor {
    return { ...this.#position, skipItems: 0, skipRejected: false };
  }

  #closeEmpty(): void {
    const span = this.#close(this.#cursorHere(), this.options.memory.mark());
    span.acked = true;
    this.#commits.advance();
  }

  #close(cursor: Cursor, memory: Marks): Span {
    const span = this.#open;
    span.fold(this.options.keys.read);
    span.cursor = cursor;
    span.memory = memory;
    span.nextRequest = this.#nextRequest;
    this.#commits.push(span);
    this.#open = new Span();
    return span;
  }

  async #seal(cursor: Cursor, memory: Marks, spanning?: Ticket): Promise<void> {
    const number = this.#nextRequest++;
    const batch = this.#batch;
    this.#batch = [];
    const span = this.#close(cursor, memory);
    span.spanning = spanning;
    const slots = sendable(batch);
    const points = pointsOf(slots);
    const request: PlannedRequest = { path: this.options.path, items: slots.map(itemOf) };
    const { history, inDoubt } = this.options;
    const known = history.acked.get(number);
    if (!this.#budget.spend(points, known !== undefined || history.inDoubt.has(number))) return;
    if (points > 0) addCount(span.counts, 'dataPoints.requested', points);
    if (known) {
      if (known.inDoubt) this.#countInDoubt(number, span, known.doubts ?? 1);
      return this.#acknowledge(number, slots, span, known);
    }
    const doubts = history.inDoubt.has(number) ? (history.doubts.get(number) ?? 1) : 0;
    if (doubts > 0) {
      this.#countInDoubt(number, span, doubts);
      if (inDoubt === 'skip') {
        this.options.log?.acked(number, { ...noDelivery, inDoubt: true, doubts });
        return this.#acknowledge(number, slots, span, noDelivery);
      }
    }
    if (this.#failure !== undefined) throw this.#failure;
    if (slots.length === 0) return this.#acknowledge(number, slots, span, noDelivery);
    // Not awaited when there is room: the request goes out before accept() returns.
    while (this.#inflight.count >= this.options.concurrency) await this.#inflight.freed();
    if (this.#failure !== undefined) throw this.#failure;
    this.#send(number, request, slots, span, doubts);
  }

  /** `doubts`: how many processes died with the request in flight (each may have delivered it). */
  #countInDoubt(number: number, span: Span, doubts: number): void {
    this.inDoubtRequests.push(number);
    addCount(span.counts, 'requests.inDoubt', doubts);
  }

  /** Hands the request to the sink: a recording sink's answer is acknowledged at once. */
  #send(number: number, request: PlannedRequest, slots: Slot[], span: Span, doubts: number): void {
    this.options.log?.sent(number);
    const answer = this.options.sink.deliver(request);
    if (!(answer instanceof Promise)) return this.#acknowledge(number, slots, span, answer);
    this.#inflight.add();
    void this.#await(answer, number, slots, span, doubts);
  }

  async #await(answer: Promise<Delivery>, number: number, slots: Slot[], span: Span, doubts: number): Promise<void> {
    try {
      const delivery = await answer;
      this.options.log?.acked(number, doubts > 0 ? { ...delivery, inDoubt: true, doubts } : delivery);
      this.#acknowledge(number, slots, span, delivery);
    } catch (error) {
      if (this.#failure === undefined) {
        this.#failure = error instanceof Error ? error : new FatalRunError(String(error));
        this.options.onFailure?.();
      }
    } finally {
      this.#inflight.release();
    }
  }

  #acknowledge(number: number, slots: readonly Slot[], span: Span, delivery: Delivery): void {
    for (const rejection of delivery.rejected) {
      const slot = slots[rejection.item];
      if (!slot) continue;
      span.rejectLines.push(this.options.describeRejection(slot.ticket, slot.item, rejection.reason, number));
      this.options.onRefused?.(slot.item);
      refuse(slot.ticket, this.options.keys);
    }
    span.acknowledge(delivery);
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
  return { file: unit.file, line: unit.line, fate: unit.fate, span: undefined, rejected: false };
}

const itemOf = (slot: Slot): RequestItem => slot.item;
