import { deliver, type DeliverDeps } from '../braze/deliver.js';
import type { Delivery, PlannedRequest } from '../braze/types.js';

/** A sink that sends each request and resolves with Braze's answer. */
export interface DeliveringSink {
  readonly live: true;
  deliver(request: PlannedRequest): Promise<Delivery>;
}

/** A sink that records each request (requests.ndjson) and acknowledges it at once with `delivery`. */
export interface RecordingSink {
  readonly live: false;
  readonly delivery: Delivery;
}

/**
 * Where planned requests go. Everything before the sink is the same plan in both cases (style.md:
 * the dry run is the same plan handed to a sink that records instead of sending).
 */
export type Sink = DeliveringSink | RecordingSink;

/** The dry run: nothing is sent; every request counts as one request sent, with no refusal. */
export class DryRunSink implements RecordingSink {
  readonly live = false;
  readonly delivery: Delivery = { rejected: [], httpRequests: 1, retries: 0 };
}

export class LiveSink implements DeliveringSink {
  readonly live = true;
  constructor(private readonly deps: DeliverDeps) {}
  deliver(request: PlannedRequest): Promise<Delivery> {
    return deliver(request, this.deps);
  }
}
