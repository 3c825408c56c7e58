import { traceDropped } from './trace.js';
import type { IdKey } from './mapping/identifiers.js';
import type { PreparedMapping } from './mapping/prepare.js';
import type { BrazeObject, FieldTrace, MappingSettings, ObjectKind, SegmentMessage } from './types.js';

/** What every mapper of one message needs: the message, settings, resolved ids and the trace sink. */
export interface MapContext {
  readonly msg: SegmentMessage;
  readonly settings: MappingSettings;
  /** The identifier's value: `userId` as a string (mapping.md §2), or what the mapping file chose. */
  readonly externalId: string;
  /** Which Braze identifier `externalId` is: external_id unless the mapping file says email or phone. */
  readonly idKey: IdKey;
  /** The mapping file, ready to apply; undefined without --mapping. */
  readonly mapping: PreparedMapping | undefined;
  /** The event time as Braze gets it; undefined when the message has none (identify, group). */
  readonly time: string | undefined;
  /** Where traces go; undefined when not tracing, and then no trace work is done at all. */
  readonly trace: FieldTrace[] | undefined;
  /** False when the message is too short for any of its properties to reach Braze's 50 KB cap. */
  readonly measureProperties: boolean;
}

/** A mapper's answer: its objects, or the reason the record is rejected. */
export type Mapped =
  | { readonly ok: true; readonly objects: BrazeObject[] }
  | { readonly ok: false; readonly reason: string; readonly field?: string; readonly objects: BrazeObject[] };

/** Starts an object body: `external_id` first, then `app_id` on events and purchases (--app-id). */
export function objectHead(ctx: MapContext, kind: ObjectKind): Record<string, unknown> {
  const body: Record<string, unknown> = ctx.idKey === 'external_id' ? { external_id: ctx.externalId } : { [ctx.idKey]: ctx.externalId };
  if (kind !== 'attributes' && ctx.settings.appId !== undefined) body['app_id'] = ctx.settings.appId;
  return body;
}

/** Ends an object body: `_update_existing_only: true` with --update-existing-only, else no key. */
export function brazeObject(ctx: MapContext, kind: ObjectKind, body: Record<string, unknown>): BrazeObject {
  // An email or phone identifier is not overwritten by a trait of the same name.
  if (ctx.idKey !== 'external_id') body[ctx.idKey] = ctx.externalId;
  // With both, Braze takes email as the identifier: a phone-identified user keeps its phone.
  if (ctx.idKey === 'phone' && body['email'] !== undefined) {
    delete body['email'];
    ctx.trace?.push(traceDropped('traits.email', 'Braze would take email as the identifier over the phone the mapping file chose'));
  }
  if (ctx.settings.updateExistingOnly) body['_update_existing_only'] = true;
  return { kind, body };
}
