import type { PlannedRequest, RequestItem } from './types.js';

/** Groups items by their array, in first-seen order: the JSON body Braze receives. */
export function requestBody(items: readonly RequestItem[]): Record<string, unknown[]> {
  const body: Record<string, unknown[]> = {};
  for (const item of items) (body[item.array] ??= []).push(item.value);
  return body;
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
  return JSON.stringify({ method: 'POST', path: request.path, body: requestBody(request.items) });
}
