import type { FieldTrace, MapResult, MappingSettings, SegmentMessage, SkipReason } from './types.js';
import type { MapContext, Mapped } from './context.js';
import type { EventTime } from './time.js';
import { customEvent } from './events/event.js';
import { eventFilter, isBrazeOrigin, userIdOf, windowFilter, type UserId } from './filter.js';
import { groupAttributes } from './attributes/group.js';
import { identifyAttributes } from './attributes/identify.js';
import { pageEventName, pageNotMapped, pageProperties } from './events/page.js';
import { isOrderCompleted, trackPurchases } from './events/purchases.js';
import { eventTime } from './time.js';
import { dotted, indexedPath } from './paths.js';
import { propertiesCanExceed } from './events/properties.js';
import { traceChanged, traceMapped } from './trace.js';
import { stitchAnonymous, type Link, type Stitching } from './stitch.js';
import { identifierOf } from './mapping/identifiers.js';
import { fromIdentityKey } from './mapping/identity-key.js';
import { prepared, TraceTexts, type PreparedMapping } from './mapping/prepare.js';
import { adaptObjects } from './mapping/objects.js';
import { addPushToken, anonymousToken } from './mapping/attach.js';

/** How to map. */
export interface MapOptions {
  /**
   * Collect a FieldTrace per Segment field for the dry-run diff. When false, `trace` is `[]` and no
   * trace work is done at all: this is the hot path of a live run.
   */
  readonly trace: boolean;
  /**
   * The length of the JSON text the message was parsed from, when known. Properties are then
   * measured against Braze's 50 KB cap only when that text is long enough for them to reach it
   * (see propertiesCanExceed); unknown means always measure.
   */
  readonly sourceChars?: number;
  /** --stitch: the identity index's lookups; without them anonymous-only messages stay skipped. */
  readonly stitch?: Stitching;
  /** Where the message sits in the archive (archivePosition), for the stitching of identify traits. */
  readonly position?: number;
}

const NO_TIME: EventTime = { ok: false, field: 'timestamp', reason: 'not needed' };

const skipped = (reason: SkipReason, detail: string): MapResult => ({ fate: 'skipped', reason, detail, trace: [] });

/**
 * Maps one shape-checked, de-duplicated Segment message to Braze objects, or gives its fate
 * (mapping.md §1): anonymous -> brazeOrigin -> filtered -> notMapped -> rejected -> sent. Pure.
 */
export function mapMessage(msg: SegmentMessage, settings: MappingSettings, options: MapOptions): MapResult {
  // Without a mapping file the run takes the paths it took before (mapping.md §10: nothing changes).
  const mapping = settings.rules === undefined ? undefined : prepared(settings.rules);
  const given = mapping === undefined ? userIdOf(msg) : identifierOf(msg, mapping.rules);
  let user: UserId = given;
  let stitched: Link | undefined;
  if (given.kind === 'anonymous') {
    const found = stitchAnonymous(msg, options.stitch, options.position ?? 0, settings.time);
    if (found.kind === 'anonymous') {
      const trace = mapping && options.trace ? anonymousToken(msg, mapping) : [];
      return { fate: 'skipped', reason: 'anonymous', detail: found.detail, trace, anonymous: found.why };
    }
    // With a mapping file the index holds identifiers keyed by type (identity-key.ts).
    const { key, id } = mapping === undefined ? { key: undefined, id: found.link.userId } : fromIdentityKey(found.link.userId);
    stitched = key === undefined ? found.link : { source: found.link.source, userId: id, key };
    user = { kind: 'ok', id, key };
  }
  const result = mapUser(msg, settings, options, user, mapping);
  if (result.fate === 'skipped') return result;
  return stitched === undefined ? result : { ...result, stitched };
}

/** Maps a message whose user is known (given, or stitched). */
function mapUser(msg: SegmentMessage, settings: MappingSettings, options: MapOptions, user: UserId, mapping: PreparedMapping | undefined): MapResult {
  if (user.kind === 'anonymous') return skipped('anonymous', 'no userId');
  if (!settings.includeBrazeEvents && isBrazeOrigin(msg)) return skipped('brazeOrigin', `"${String(msg['event'])}" was sent to Segment by Braze`);
  const event = msg.type !== 'identify' && msg.type !== 'group';
  // identify and group need a time only to be checked against --since/--until.
  const windowed = settings.since !== undefined || settings.until !== undefined;
  const time = event || windowed ? eventTime(msg, settings.time) : NO_TIME;
  const outside = windowFilter(msg.type, time, settings);
  if (outside !== undefined) return skipped('filtered', outside);
  const unmapped = notMapped(msg, settings);
  if (unmapped !== undefined) return skipped('notMapped', unmapped);
  // After notMapped: a page that --pages does not map has no event name to select.
  const leftOut = eventFilter(msg, settings, mapping?.eventRename);
  if (leftOut !== undefined) return skipped('filtered', leftOut);
  const trace: FieldTrace[] | undefined = options.trace ? [] : undefined;
  const ctx: MapContext = {
    msg,
    settings,
    measureProperties: propertiesCanExceed(options.sourceChars),
    externalId: user.kind === 'ok' ? user.id : '',
    idKey: (user.kind === 'ok' && user.key) || 'external_id',
    mapping,
    time: event && time.ok ? time.iso : undefined,
    trace,
  };
  const identified = msg.type === 'identify' ? identifyAttributes(ctx) : undefined;
  if (msg.type === 'identify' && identified === undefined) return skipped('notMapped', 'identify traits give no attribute');
  if (user.kind === 'invalid') return rejected(ctx, user.reason, 'userId');
  if (identified !== undefined) return finish(ctx, user, time, { ok: true, objects: [identified] });
  if (msg.type === 'group') return finish(ctx, user, time, groupAttributes(ctx));
  if (!time.ok) return rejected(ctx, time.reason, time.field);
  return finish(ctx, user, time, msg.type === 'track' ? mapTrack(ctx) : mapPage(ctx));
}

/** The notMapped detail for types and settings that send nothing (mapping.md §1, §6, §8). */
function notMapped(msg: SegmentMessage, settings: MappingSettings): string | undefined {
  switch (msg.type) {
    case 'identify':
    case 'track':
      return undefined;
    case 'group':
      return settings.preset === 'actions' ? 'group calls are not mapped by the actions preset' : undefined;
    case 'page':
    case 'screen':
      return settings.preset === 'actions' ? `${msg.type} calls are not mapped by the actions preset` : pageNotMapped(msg, settings);
    case 'alias':
      return 'alias calls are not mapped';
    default:
      return `unknown type "${msg.type}"`;
  }
}

/** track -> purchases (§5) or one custom event (§4). */
function mapTrack(ctx: MapContext): Mapped {
  const event = ctx.msg['event'];
  if (typeof event !== 'string' || event.trim() === '') return { ok: false, reason: 'track without an event name', field: 'event', objects: [] };
  const purchases = trackPurchases(ctx, event);
  if (purchases !== undefined) return purchases;
  const orderAsEvent = ctx.settings.purchases !== 'none' && isOrderCompleted(event);
  const composed = orderAsEvent ? `${event} without products is sent as a custom event` : undefined;
  return customEvent(ctx, { name: event, from: 'event', ...(composed !== undefined && { composed }) }, ctx.msg['properties']);
}

/** page/screen -> one custom event (§6). */
function mapPage(ctx: MapContext): Mapped {
  return customEvent(ctx, pageEventName(ctx.msg), pageProperties(ctx.msg));
}

function rejected(ctx: MapContext, reason: string, field: string): MapResult {
  return { fate: 'rejected', reason, field, objects: [], trace: ctx.trace ?? [] };
}

type Known = Extract<UserId, { kind: 'ok' }>;

function finish(ctx: MapContext, user: Known, time: EventTime, mapped: Mapped): MapResult {
  const trace = ctx.trace ?? [];
  const { mapping } = ctx;
  if (mapping !== undefined) {
    if (mapping.adaptsObjects) adaptObjects(mapped.objects, mapping, ctx.trace, ctx.msg['properties']);
    if (mapped.ok && mapping.tokenPath !== undefined) addPushToken(ctx, mapped.objects, mapping);
  }
  if (ctx.trace) traceCommon(ctx, user, time, mapped);
  if (mapped.ok) return { fate: 'sent', objects: mapped.objects, trace, identifiedBy: user.by };
  return { fate: 'rejected', reason: mapped.reason, ...(mapped.field !== undefined && { field: mapped.field }), objects: mapped.objects, trace, identifiedBy: user.by };
}

/** userId and time traces, first in the list. */
function traceCommon(ctx: MapContext, user: Known, time: EventTime, mapped: Mapped): void {
  const first = mapped.objects[0];
  if (first === undefined) return;
  const path = first.kind === 'attributes' ? 'attributes' : indexedPath(first.kind, 0);
  // A stitched record's external_id is shown by the main thread, with the source of its link (diff.ts).
  const stitched = ctx.msg['userId'] === undefined || ctx.msg['userId'] === null || String(ctx.msg['userId']).trim() === '';
  const id = stitched && user.by === undefined ? undefined : identifierTrace(ctx, user, path);
  const at = ctx.time !== undefined && time.ok ? traceMapped(time.field, dotted(path, 'time'), ctx.time) : undefined;
  // Put first as arguments: an array of them spread into unshift cost a record ~25 ns more.
  if (id !== undefined && at !== undefined) ctx.trace!.unshift(id, at);
  else if (id !== undefined || at !== undefined) ctx.trace!.unshift((id ?? at)!);
}

/** `userId -> external_id`, or the identifier the mapping file chose, saying so. */
function identifierTrace(ctx: MapContext, user: Known, path: string): FieldTrace {
  const to = dotted(path, ctx.idKey);
  if (user.by === undefined || (user.by === 0 && user.from === 'userId')) return traceMapped('userId', to, ctx.msg['userId'] !== user.id ? user.id : undefined);
  return traceChanged(user.from ?? 'userId', to, IDENTIFIER.get(String(user.by + 1)), user.id);
}

const IDENTIFIER = new TraceTexts((entry) => `identifier from the mapping file (identifiers entry ${entry})`);
