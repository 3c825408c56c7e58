import type { PlannedRequest, RequestItem } from './types.js';

/** An item's value, parsing its JSON text when that is all it carries. */
export function itemValue(item: RequestItem): unknown {
  return item.json !== undefined && item.value === undefined ? JSON.parse(item.json) : item.value;
}

/** Groups items by their array, in first-seen order: the JSON body Braze receives. */
export function requestBody(items: readonly RequestItem[]): Record<string, unknown[]> {
  const body: Record<string, unknown[]> = {};
  for (const item of items) (body[item.array] ??= []).push(itemValue(item));
  return body;
}

/**
 * The request body as JSON text: the same text as JSON.stringify(requestBody(items)), assembled from
 * each item's JSON so that pre-serialised items are not parsed and stringified again.
 */
export function serializeBody(items: readonly RequestItem[]): string {
  const parts: string[] = [];
  bodyParts(items, parts);
  return parts.join('');
}

/**
 * Pushes the body's text onto `parts`, piece by piece: joined once, the text is made in one copy
 * (nested joins and templates made a rope that every later step flattened again).
 */
function bodyParts(items: readonly RequestItem[], parts: string[]): void {
  const arrays: string[] = [];
  for (const item of items) if (!arrays.includes(item.array)) arrays.push(item.array);
  parts.push('{');
  for (let a = 0; a < arrays.length; a++) {
    const array = arrays[a]!;
    parts.push(a === 0 ? `${JSON.stringify(array)}:[` : `,${JSON.stringify(array)}:[`);
    let first = true;
    for (const item of items) {
      if (item.array !== array) continue;
      if (!first) parts.push(',');
      parts.push(item.json ?? JSON.stringify(item.value));
      first = false;
    }
    parts.push(']');
  }
  parts.push('}');
}

/**
 * Maps Braze's (array, index) of an errors[] entry back to the position in `items`.
 * Returns -1 when there is no such item.
 */
export function itemIndex(items: readonly RequestItem[], array: string, index: number): number {
  let seen = 0;
  for (let i = 0; i < items.length; i++) {
    if (items[i]!.array !== array) continue;
    if (seen === index) return i;
    seen++;
  }
  return -1;
}

/** The JSON text of a request as requests.ndjson records it. */
export function requestLine(request: PlannedRequest): string {
  const parts = [`{"method":"POST","path":${JSON.stringify(request.path)},"body":`];
  bodyParts(request.items, parts);
  parts.push('}');
  return parts.join('');
}
