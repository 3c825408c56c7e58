import type { BrazeObject, FieldTrace } from '../types.js';
import { isRecord } from '../limits.js';
import { traceChanged, traceDropped } from '../trace.js';
import { dotted, indexedPath, propertyPath } from '../paths.js';
import { TraceTexts, type PreparedMapping } from './prepare.js';

const FILE = 'the mapping file';
const RENAMED = new TraceTexts((name) => `renamed by ${FILE} (${JSON.stringify(name)})`);
const DROPPED = new TraceTexts((glob) => `dropped by ${FILE} (events.dropProperties "${glob}")`);
const ADDED = `added by ${FILE}`;

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
    const at = object.kind === 'events' ? indexedPath('events', events++) : indexedPath('purchases', purchases++);
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
  if (trace) replaceTrace(trace, dotted(at, 'name'), traceChanged('event', dotted(at, 'name'), RENAMED.get(name as string), to));
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
      if (trace) replaceTrace(trace, dotted(dotted(at, 'properties'), key), traceDropped(propertyPath(key), DROPPED.get(glob)));
    }
  }
  if (addProperties.length > 0) {
    props ??= isRecord(given) ? { ...given } : {};
    for (const [key, value] of addProperties) {
      props[key] = value;
      if (trace) replaceTrace(trace, dotted(dotted(at, 'properties'), key), traceChanged(dotted('(mapping file).addProperties', key), dotted(dotted(at, 'properties'), key), ADDED, value));
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
