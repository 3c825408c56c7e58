import type { MappingRules } from './mapping/rules.js';

/** Why a record is not sent (cli.md report `records.skipped`). */
export type SkipReason = 'anonymous' | 'duplicate' | 'brazeOrigin' | 'notMapped' | 'filtered' | 'unchanged';
export const SKIP_REASONS: readonly SkipReason[] = ['anonymous', 'duplicate', 'brazeOrigin', 'notMapped', 'filtered', 'unchanged'];

export type Preset = 'classic' | 'actions';
export type PagesMode = 'none' | 'named' | 'all';
export type PurchasesMode = 'order-completed' | 'products' | 'revenue' | 'none';
export type TimeField = 'timestamp' | 'receivedAt';

/** The mapping options of cli.md, parsed and validated. */
export interface MappingSettings {
  readonly preset: Preset;
  readonly pages: PagesMode;
  readonly purchases: PurchasesMode;
  /** Resolved: 'timestamp' for classic and 'receivedAt' for actions unless --time says otherwise. */
  readonly time: TimeField;
  readonly updateExistingOnly: boolean;
  readonly appId: string | undefined;
  readonly includeBrazeEvents: boolean;
  /** Epoch ms, inclusive. */
  readonly since: number | undefined;
  /** Epoch ms, exclusive. */
  readonly until: number | undefined;
  /** `--events`: patterns of the event names sent (see event-names.ts). @default undefined (all) */
  readonly events?: readonly string[] | undefined;
  /** `--skip-events`: patterns of the event names left out. @default undefined (none) */
  readonly skipEvents?: readonly string[] | undefined;
  /** `--mapping <file>` compiled (mapping.md §10); undefined: the preset alone. @default undefined */
  readonly rules?: MappingRules | undefined;
}

/** --stitch: a usable link and where it came from ("file:line" of a message carrying both IDs, or of an alias). */
export interface Link {
  readonly userId: string;
  readonly source: string;
  /** With a mapping file: the identifier `userId` is (external_id when absent). */
  readonly key?: 'external_id' | 'email' | 'phone';
}

/** --stitch: why an anonymous-only record stays anonymous (the report's `records.anonymous` breakdown). */
export type AnonymousWhy = 'unlinked' | 'ambiguous' | 'noAnonymousId' | 'olderTraits';

/** The three users/track arrays. */
export type ObjectKind = 'attributes' | 'events' | 'purchases';

/** One Braze object bound for users/track. */
export interface BrazeObject {
  readonly kind: ObjectKind;
  readonly body: Record<string, unknown>;
}

/**
 * What happened to one Segment field: the dry-run diff is built from these.
 * `from` is a dot path in the Segment message (`traits.birthday`, `properties.products[0].price`),
 * `to` a path in Braze (`attributes.dob`, `events.properties.price`, `purchases[1].price`).
 */
export interface FieldTrace {
  readonly from: string;
  readonly to?: string;
  readonly action: 'mapped' | 'changed' | 'dropped';
  /** Why it was changed or dropped (always set for those two). */
  readonly reason?: string;
  /** The value as Braze gets it, for 'changed' (and 'mapped' when different in form). */
  readonly value?: unknown;
}

/** A shape-checked Segment message (an object with a string `type`). */
export type SegmentMessage = Record<string, unknown> & { readonly type: string };

/**
 * The result of mapping one message. `anonymous`: why an anonymous-only record stays skipped;
 * `stitched`: the link an anonymous-only record was sent under (--stitch); `identifiedBy`: with a
 * mapping file, the index of the `identifiers` entry that identified the record. `rejected` with objects is a partial rejection (some products
 * invalid): the record counts as rejected and its good objects are still sent.
 */
export type MapResult =
  | { readonly fate: 'skipped'; readonly reason: SkipReason; readonly detail: string; readonly trace: FieldTrace[]; readonly anonymous?: AnonymousWhy }
  | { readonly fate: 'rejected'; readonly reason: string; readonly field?: string; readonly objects: BrazeObject[]; readonly trace: FieldTrace[]; readonly stitched?: Link; readonly identifiedBy?: number }
  | { readonly fate: 'sent'; readonly objects: BrazeObject[]; readonly trace: FieldTrace[]; readonly stitched?: Link; readonly identifiedBy?: number };
