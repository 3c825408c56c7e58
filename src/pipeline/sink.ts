import { requestLine } from '../braze/body.js';
import { deliver, type DeliverDeps } from '../braze/deliver.js';
import type { Delivery, PlannedRequest } from '../braze/types.js';

/**
 * Where planned requests go. Everything before the sink is the same plan in both cases (style.md:
 * the dry run is the same plan handed to a sink that records instead of sending). A sink that answers
 * at once (a Delivery, not a promise) is acknowledged at once; the engine does not ask which kind it has.
 */
export interface Sink {
  deliver(request: PlannedRequest): Delivery | Promise<Delivery>;
}

/**
 * The dry run: nothing is sent; every request counts as one request sent, with no refusal, and its
 * line for requests.ndjson rides on the acknowledgement (written when its span commits) for the first
 * `keep` requests of the run (--keep-requests): a dry run over billions of messages writes a sample,
 * not terabytes. Requests reach a dry-run sink one by one in their numbering, from `next` (where a
 * resumed run starts), so "the first n" is the same whatever the interruptions.
 */
export class DryRunSink implements Sink {
  constructor(
    private readonly keep = Infinity,
    private next = 1,
  ) {}

  deliver(request: PlannedRequest): Delivery {
    const number = this.next++;
    return { rejected: [], httpRequests: 1, retries: 0, recorded: number <= this.keep ? requestLine(request) : undefined };
  }
}

export class LiveSink implements Sink {
  constructor(private readonly deps: DeliverDeps) {}
  deliver(request: PlannedRequest): Promise<Delivery> {
    return deliver(request, this.deps);
  }
}
