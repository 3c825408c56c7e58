import type { BrazeObject, FieldTrace } from '../types.js';
import { isRecord } from '../limits.js';
import { traceChanged, traceDropped } from '../trace.js';
import type { PreparedMapping } from './prepare.js';

const FILE = 'the mapping file';

/**
 * `events.rename`, `events.dropProperties` and `events.addProperties` on a message's events and
 * purchases (mapping.md §10), after the preset made them: an Order Completed that became purchases has
 * no event to rename. Bodies are the mapper's own; a properties object may be the message's (`shared`),
 * and is then copied before it is changed.
 */
export function adaptObjects(objects: readonly BrazeObject[], mapping: PreparedMapping, trace: FieldTrace[] | undefined, shared?: unknown): void {
  let events = 0;
  let purchases = 0;
  for (const object of objects) {
    if (object.kind === 'attributes') continue;
    const at = object.kind === 'events' ? `events[${events++}]` : `purchases[${purchases++}]`;
    const { body } = object;
    if (object.kind === 'events') rename(body, mapping, at, trace);
    properties(body, mapping, at, trace, shared);
  }
}

function rename(body: Record<string, unknown>, mapping: PreparedMapping, at: string, trace: FieldTrace[] | undefined): void {
  const name = body['name'];
  const to = typeof name === 'string' ? mapping.eventRename.get(name) : undefined;
  if (to === undefined) return;
  body['name'] = to;
  if (trace) replaceTrace(trace, `${at}.name`, traceChanged('event', `${at}.name`, `renamed by ${FILE} (${JSON.stringify(name)})`, to));
}

function properties(body: Record<string, unknown>, mapping: PreparedMapping, at: string, trace: FieldTrace[] | undefined, shared: unknown): void {
  const given = body['properties'];
  const { addProperties } = mapping.rules;
  // The mapper's own copy is changed in place; the message's object (sent as it was) is copied first.
  let props: Record<string, unknown> | undefined = isRecord(given) && given !== shared ? given : undefined;
  if (isRecord(given)) {
    for (const key in given) {
      const glob = mapping.dropProperty(key);
      if (glob === undefined) continue;
      props ??= { ...given };
      delete props[key];
      if (trace) replaceTrace(trace, `${at}.properties.${key}`, traceDropped(`properties.${key}`, `dropped by ${FILE} (events.dropProperties "${glob}")`));
    }
  }
  if (addProperties.length > 0) {
    props ??= isRecord(given) ? { ...given } : {};
    for (const [key, value] of addProperties) {
      props[key] = value;
      if (trace) replaceTrace(trace, `${at}.properties.${key}`, traceChanged(`(mapping file).addProperties.${key}`, `${at}.properties.${key}`, `added by ${FILE}`, value));
    }
  }
  if (props === undefined) return;
  if (Object.keys(props).length === 0) delete body['properties'];
  else body['properties'] = props;
}

/** Puts the mapping file's trace in place of the preset's trace of the same Braze field (one line per field in the diff). */
function replaceTrace(trace: FieldTrace[], to: string, made: FieldTrace): void {
  const i = trace.findLastIndex((t) => t.to === to);
  if (i < 0) trace.push(made);
  else trace[i] = made;
}
