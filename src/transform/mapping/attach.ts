import type { BrazeObject, FieldTrace, SegmentMessage } from '../types.js';
import { brazeObject, objectHead, type MapContext } from '../context.js';
import { traceChanged, traceDropped } from '../trace.js';
import type { PreparedMapping } from './prepare.js';
import { pushTokenOf } from './push-tokens.js';

/**
 * `pushTokens` (mapping.md §10): a sent message carrying a token adds `push_tokens` to its attributes
 * object, or to a new attributes object after its events and purchases (the request puts each in its array). Push tokens cost no data points.
 */
export function addPushToken(ctx: MapContext, objects: BrazeObject[], mapping: PreparedMapping): void {
  const entry = pushTokenOf(ctx.msg, mapping);
  if (entry === undefined) return;
  let attributes = objects.find((object) => object.kind === 'attributes');
  if (attributes === undefined) {
    const body = objectHead(ctx, 'attributes');
    attributes = brazeObject(ctx, 'attributes', body);
    objects.push(attributes);
  }
  attributes.body['push_tokens'] = [entry];
  ctx.trace?.push(traceChanged(mapping.rules.pushTokens!.token, 'attributes.push_tokens[0].token', 'push token imported by the mapping file', entry.token));
}

/** An anonymous message's token is not imported; the diff counts it (mapping.md §10). */
export function anonymousToken(msg: SegmentMessage, mapping: PreparedMapping): FieldTrace[] {
  if (pushTokenOf(msg, mapping) === undefined) return [];
  return [traceDropped(mapping.rules.pushTokens!.token, 'push token of an anonymous message: not imported (mapping file pushTokens)')];
}
