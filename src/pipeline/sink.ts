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
 * line for requests.ndjson rides on the acknowledgement (written when its span commits).
 */
export class DryRunSink implements Sink {
  deliver(request: PlannedRequest): Delivery {
    return { rejected: [], httpRequests: 1, retries: 0, recorded: requestLine(request) };
  }
}

export class LiveSink implements Sink {
  constructor(private readonly deps: DeliverDeps) {}
  deliver(request: PlannedRequest): Promise<Delivery> {
    return deliver(request, this.deps);
  }
}
