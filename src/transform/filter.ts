import type { MappingSettings, SegmentMessage } from './types.js';
import type { EventTime } from './time.js';
import { formatTime } from './time.js';
import { isRecord } from './limits.js';
import { eventLeftOut } from './events/event-names.js';
import { pageEventName } from './events/page.js';
import type { IdKey } from './mapping/identifiers.js';

/** The `userId` of a message: absent (anonymous), usable (as a string), or of a type Braze cannot take. */
export type UserId =
  | { readonly kind: 'anonymous' }
  /** `key`, `by`, `from`: set when a mapping file chose the identifier (identifiers.ts); else external_id from userId. */
  | { readonly kind: 'ok'; readonly id: string; readonly key?: IdKey; readonly by?: number; readonly from?: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** mapping.md §1: missing, null or blank is anonymous; a number is sent as its string. */
export function userIdOf(msg: SegmentMessage): UserId {
  const raw = msg['userId'];
  if (raw === undefined || raw === null) return { kind: 'anonymous' };
  if (typeof raw === 'string') return raw.trim() === '' ? { kind: 'anonymous' } : { kind: 'ok', id: raw };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { kind: 'ok', id: String(raw) };
  const type = Array.isArray(raw) ? 'an array' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
  return { kind: 'invalid', reason: `userId is ${type}, not a string` };
}

/** Stream-source names Braze Currents may stamp on `context.integration.name` (reference §F.4). */
const BRAZE_INTEGRATIONS: ReadonlySet<string> = new Set(['braze', 'appboy', 'braze-currents']);

/** Braze properties that only Currents events carry (reference §F.4 check 3). */
const BRAZE_PROPERTIES = ['dispatch_id', 'send_id', 'campaign_id', 'canvas_id', 'canvas_step_id', 'message_variation_id'];

/** Currents event names (reference-braze-and-segment.md §F.2). */
const CURRENTS_EVENTS: ReadonlySet<string> = new Set([
  'Email Sent', 'Email Delivered', 'Email Opened', 'Email Link Clicked', 'Email Bounced', 'Email Soft Bounced',
  'Email Marked As Spam', 'Email Unsubscribed',
  'Global Subscription Group State Change', 'Subscription Group State Changed',
  'Push Notification Sent', 'Push Notification Tapped', 'Push Notification Bounced', 'iOS Foreground Push Opened',
  'In-App Message Viewed', 'In-App Message Clicked',
  'News Feed Viewed', 'News Feed Card Viewed', 'News Feed Card Clicked',
  'Webhook Sent', 'Campaign Converted', 'Canvas Converted', 'Canvas Entered', 'Canvas Exited',
  'Campaign Control Group Entered',
  'Content Card Sent', 'Content Card Viewed', 'Content Card Clicked', 'Content Card Dismissed',
  'SMS Sent', 'SMS Sent to Carrier', 'SMS Short Link Clicks', 'SMS Delivered', 'SMS Delivery Failed', 'SMS Rejected',
  'SMS Inbound Received',
  'Application Uninstalled',
  'WhatsApp Abort', 'WhatsApp Delivery', 'WhatsApp Failure', 'WhatsApp Inbound Received', 'WhatsApp Read', 'WhatsApp Send',
  'Abort Message Events',
]);

/**
 * A track event Braze itself produced (Currents -> Segment), mapping.md §1. Replaying it would cost
 * data points and duplicate Braze's own engagement records. The name alone is not enough: "Email
 * Opened" may be a first-party event, so a Braze property must be there too.
 */
export function isBrazeOrigin(msg: SegmentMessage): boolean {
  if (msg.type !== 'track') return false;
  const context = msg['context'];
  if (isRecord(context) && isRecord(context['integration'])) {
    const name = context['integration']['name'];
    if (typeof name === 'string' && BRAZE_INTEGRATIONS.has(name.toLowerCase())) return true;
  }
  const event = msg['event'];
  if (typeof event !== 'string' || !CURRENTS_EVENTS.has(event)) return false;
  const props = msg['properties'];
  if (!isRecord(props)) return false;
  return BRAZE_PROPERTIES.some((key) => props[key] !== undefined && props[key] !== null);
}

/**
 * The `filtered` detail when the message falls outside [--since, --until), else undefined.
 * Without a usable time only identify and group are filtered: they need no time otherwise, while
 * track/page/screen are rejected for it later in the fate order.
 */
export function windowFilter(type: string, time: EventTime, settings: MappingSettings): string | undefined {
  const { since, until } = settings;
  if (since === undefined && until === undefined) return undefined;
  if (!time.ok) return type === 'identify' || type === 'group' ? `no usable time for --since/--until (${time.reason})` : undefined;
  if (since !== undefined && time.ms < since) return `${time.field} ${formatTime(time.ms)} is before --since ${formatTime(since)}`;
  if (until !== undefined && time.ms >= until) return `${time.field} ${formatTime(time.ms)} is not before --until ${formatTime(until)}`;
  return undefined;
}

/**
 * The `filtered` detail when --events / --skip-events leave out the event this message becomes (a
 * track's name; a page or screen's `Viewed … Page` name), else undefined. Identify and group pass, and
 * so does a track without a usable name (it is rejected later).
 */
export function eventFilter(msg: SegmentMessage, settings: MappingSettings, rename?: ReadonlyMap<string, string>): string | undefined {
  const { events, skipEvents } = settings;
  if (events === undefined && skipEvents === undefined) return undefined;
  const name = msg.type === 'track' ? msg['event'] : msg.type === 'page' || msg.type === 'screen' ? pageEventName(msg).name : undefined;
  if (typeof name !== 'string' || name.trim() === '') return undefined;
  // The mapping file's events.rename comes first: --events sees the new name (mapping.md §10).
  return eventLeftOut(rename?.get(name) ?? name, { events, skipEvents });
}
