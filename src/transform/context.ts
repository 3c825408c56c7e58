import type { BrazeObject, FieldTrace, MappingSettings, ObjectKind, SegmentMessage } from './types.js';

/** What every mapper of one message needs: the message, settings, resolved ids and the trace sink. */
export interface MapContext {
  readonly msg: SegmentMessage;
  readonly settings: MappingSettings;
  /** `userId` as a string (mapping.md §2). */
  readonly externalId: string;
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
  const body: Record<string, unknown> = { external_id: ctx.externalId };
  if (kind !== 'attributes' && ctx.settings.appId !== undefined) body['app_id'] = ctx.settings.appId;
  return body;
}

/** Ends an object body: `_update_existing_only: true` with --update-existing-only, else no key. */
export function brazeObject(ctx: MapContext, kind: ObjectKind, body: Record<string, unknown>): BrazeObject {
  if (ctx.settings.updateExistingOnly) body['_update_existing_only'] = true;
  return { kind, body };
}
