/**
 * The mapping file (mapping.md §10) compiled into plain data: what config/mapping/ hands the planning
 * workers inside MappingSettings (structured-clone-able, hashed into the run's settings). The
 * per-record code reads these rules through prepare.ts and never sees the file.
 */

/** A JSON primitive a subscription trait may hold. */
export type TraitValue = string | number | boolean | null;

/** Where a message's Braze identifier comes from (`identifiers`, in order). */
export type IdentifierRule =
  | { readonly kind: 'userId'; readonly name: 'userId' }
  /** A dot path into the message (`traits.customer_id`): gives `external_id`. */
  | { readonly kind: 'path'; readonly name: string; readonly path: readonly string[] }
  /** Braze's `email` identifier, from traits/context.traits/properties `email`. */
  | { readonly kind: 'email'; readonly name: 'email' }
  /** Braze's `phone` identifier (E.164), from the same places. */
  | { readonly kind: 'phone'; readonly name: 'phone' };

/** `attributes.rename`: a trait (or a dot path inside traits) -> a Braze attribute name. */
export interface RenameRule {
  readonly from: string;
  readonly path: readonly string[];
  readonly to: string;
}

/** `attributes.subscriptionGroups[]`: a trait -> a Braze subscription group. */
export interface SubscriptionGroupRule {
  readonly from: string;
  readonly path: readonly string[];
  readonly groupId: string;
  readonly subscribed: readonly TraitValue[];
  readonly unsubscribed: readonly TraitValue[];
}

/** `pushTokens`: where a message's push token and device id are. */
export interface PushTokenRule {
  readonly appId: string;
  readonly token: string;
  readonly deviceId: string;
}

/** A compiled mapping file. Every list is in the file's order; absent parts are empty. */
export interface MappingRules {
  /** The file as given (for the report and messages). */
  readonly file: string;
  /** sha256 of the file's bytes: the run's settings include it. */
  readonly sha256: string;
  readonly identifiers: readonly IdentifierRule[];
  readonly rename: readonly RenameRule[];
  /** Globs (`*` = any characters) over trait names. */
  readonly drop: readonly string[];
  readonly subscriptionGroups: readonly SubscriptionGroupRule[];
  readonly pushTokens: PushTokenRule | undefined;
  /** `events.rename` as [from, to] pairs. */
  readonly eventRename: readonly (readonly [string, string])[];
  readonly dropProperties: readonly string[];
  /** `events.addProperties` as [key, value] pairs. */
  readonly addProperties: readonly (readonly [string, unknown])[];
}

/** The default of `identifiers`. */
export const DEFAULT_IDENTIFIERS: readonly IdentifierRule[] = [{ kind: 'userId', name: 'userId' }];

/** The default places of the push token and device id. */
export const DEFAULT_TOKEN_PATH = 'context.device.token';
export const DEFAULT_DEVICE_ID_PATH = 'context.device.id';
