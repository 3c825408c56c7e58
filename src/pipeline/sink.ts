import { deliver, type DeliverDeps } from '../braze/deliver.js';
import type { Delivery, PlannedRequest } from '../braze/types.js';

/**
 * Where planned requests go. The live sink delivers them to Braze; the dry-run sink records them and
 * acknowledges at once. Everything before the sink is the same plan in both cases (style.md: the
 * dry run is the same plan handed to a sink that records instead of sending).
 */
export interface Sink {
  readonly live: boolean;
  deliver(request: PlannedRequest): Promise<Delivery>;
}

export class DryRunSink implements Sink {
  readonly live = false;
  async deliver(): Promise<Delivery> {
    return { rejected: [], httpRequests: 1, retries: 0 };
  }
}

export class LiveSink implements Sink {
  readonly live = true;
  constructor(private readonly deps: DeliverDeps) {}
  deliver(request: PlannedRequest): Promise<Delivery> {
    return deliver(request, this.deps);
  }
}
