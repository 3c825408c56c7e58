import type { MapContext, Mapped } from '../context.js';
import { brazeObject, objectHead } from '../context.js';
import { MAX_STRING, TRUNCATED, isRecord, truncate } from '../limits.js';
import { cleanProperties, fromProperties, propertiesTooLarge } from './properties.js';
import { traceChanged, traceDropped, traceMapped } from '../trace.js';

/** Where the event name came from, for traces: a Segment path, and a note when it was composed. */
export interface EventName {
  readonly name: string;
  readonly from: string;
  /** Set when the name is not copied from one field (page/screen naming, mapping.md §6). */
  readonly composed?: string;
}

/**
 * One custom event (mapping.md §4, §6): `name`, `time`, cleaned `properties` (absent when empty).
 * Properties over 50 KB reject the record, as Braze would.
 */
export function customEvent(ctx: MapContext, name: EventName, properties: unknown): Mapped {
  const { trace } = ctx;
  const body = objectHead(ctx, 'events');
  body['name'] = name.name.length > MAX_STRING ? truncate(name.name) : name.name;
  if (trace) traceName(ctx, name, body['name']);
  body['time'] = ctx.time;
  if (properties !== undefined && properties !== null && !isRecord(properties)) {
    trace?.push(traceDropped('properties', 'properties is not an object'));
  }
  const props = isRecord(properties) ? cleanProperties(properties, fromProperties, 'events[0].properties', trace) : undefined;
  const tooLarge = propertiesTooLarge(props, ctx.measureProperties);
  if (tooLarge !== undefined) return { ok: false, reason: tooLarge, field: 'properties', objects: [] };
  if (props !== undefined) body['properties'] = props;
  return { ok: true, objects: [brazeObject(ctx, 'events', body)] };
}

function traceName(ctx: MapContext, name: EventName, sent: unknown): void {
  const to = 'events[0].name';
  if (sent !== name.name) ctx.trace!.push(traceChanged(name.from, to, TRUNCATED, sent));
  else if (name.composed !== undefined) ctx.trace!.push(traceChanged(name.from, to, name.composed, sent));
  else ctx.trace!.push(traceMapped(name.from, to));
}
