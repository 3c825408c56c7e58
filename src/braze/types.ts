/** The Braze REST paths this tool calls. */
export type BrazePath = '/users/track' | '/users/delete';

/**
 * One item of a request: an object of a users/track array, or one identifier of a users/delete
 * array. Items keep their order; the request body groups them by `array` in first-seen order.
 */
export interface RequestItem {
  /** 'attributes' | 'events' | 'purchases' for track; 'external_ids' | 'braze_ids' | 'user_aliases' for delete. */
  readonly array: string;
  /** The value; may be absent when `json` holds it already serialised. */
  readonly value?: unknown;
  /**
   * The value as JSON text, when it was serialised where it was made (the planning worker): the body
   * is then assembled from these texts without parsing or stringifying them again.
   */
  readonly json?: string;
  /** Braze data points the item costs (replay: what --max-data-points counts per request). */
  readonly points?: number;
  /**
   * An attributes object's pieces (transform/attributes/attribute-pieces.ts: user and per-attribute hashes and
   * where each attribute sits in `json`), for --attributes changed and the data-point totals.
   */
  readonly attrs?: Uint32Array;
  /**
   * Left out (every attribute unchanged, issue 15): the item still takes its place in the batch, so
   * that request numbers stay the same whatever the run remembers (resume), but is not sent.
   */
  readonly unsent?: boolean;
}

/** A request a run sends (or, in a dry run, records). */
export interface PlannedRequest {
  readonly path: BrazePath;
  readonly items: readonly RequestItem[];
}

/** One item Braze refused: `item` indexes PlannedRequest.items. */
export interface ItemRejection {
  readonly item: number;
  /** Braze's reason (errors[].type, or the message of a 400 for a single item). */
  readonly reason: string;
}

/** The outcome of delivering one PlannedRequest (with retries and bisection done). */
export interface Delivery {
  readonly rejected: readonly ItemRejection[];
  /** HTTP requests that got a 2xx (1, or more after bisection). */
  readonly httpRequests: number;
  /** Attempts that were retried (429, 5xx, timeouts, connection errors). */
  readonly retries: number;
  /** For users/delete: the sum of `deleted` Braze reported. */
  readonly deleted?: number;
  /** A recording sink (the dry run): the request's line for requests.ndjson. */
  readonly recorded?: string;
}
