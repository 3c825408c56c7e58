import { MAX_STRING } from '../limits.js';

/** A product field read for Braze, or why the product is rejected (mapping.md §5). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);
const absent = (value: unknown): boolean => value === undefined || value === null;

/** The product keys that may give `product_id`, in order (`id` is e-commerce spec v1). */
export const PRODUCT_ID_KEYS = ['product_id', 'productId', 'id', 'sku'] as const;

/** The key that gives `product_id`: the first of PRODUCT_ID_KEYS with a value. */
export function productIdKey(product: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of PRODUCT_ID_KEYS) if (!absent(product[key])) return key;
  return undefined;
}

/** `product_id`: a string of 1-255 characters; numbers are converted. */
export function productId(value: unknown): Parsed<string> {
  if (absent(value)) return { ok: false, reason: 'product_id missing' };
  const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== 'string') return { ok: false, reason: `product_id ${show(value)} is not a string` };
  if (id === '') return { ok: false, reason: 'product_id is empty' };
  if (id.length > MAX_STRING) return { ok: false, reason: `product_id longer than ${MAX_STRING} characters` };
  return { ok: true, value: id };
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** `price`: a number; numeric strings are converted. */
export function price(value: unknown): Parsed<number> {
  if (absent(value)) return { ok: false, reason: 'price missing' };
  const n = numeric(value);
  return n === undefined ? { ok: false, reason: `price ${show(value)} is not a number` } : { ok: true, value: n };
}

/**
 * Quantities above this are refused rather than split: a data error such as 10^9 would otherwise
 * turn one record into millions of objects. 10,000 is 100 purchases of Braze's cap of 100.
 */
export const MAX_SPLIT_QUANTITY = 10_000;

/** `quantity`: an integer >= 1, 1 when absent; numeric strings are converted. */
export function quantity(value: unknown): Parsed<number> {
  if (absent(value)) return { ok: true, value: 1 };
  const n = numeric(value);
  if (n === undefined || !Number.isInteger(n) || n < 1) return { ok: false, reason: `quantity ${show(value)} is not an integer >= 1` };
  if (n > MAX_SPLIT_QUANTITY) return { ok: false, reason: `quantity ${n} is over ${MAX_SPLIT_QUANTITY}` };
  return { ok: true, value: n };
}

let currencies: Set<string> | undefined;

/** `currency`: an ISO 4217 code, upper-cased; `USD` when absent. */
export function currency(value: unknown): Parsed<string> {
  if (absent(value)) return { ok: true, value: 'USD' };
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return currencies.has(code) ? { ok: true, value: code } : { ok: false, reason: `currency ${show(value)} is not an ISO 4217 code` };
}

/** `revenue` of a revenue-only track (--purchases revenue): a number or numeric string. */
export function revenue(order: Readonly<Record<string, unknown>>): number | undefined {
  return numeric(order['revenue']);
}

/** The products of an order, when it has a non-empty `products` array. */
export function productsOf(order: Readonly<Record<string, unknown>>): unknown[] | undefined {
  const products = order['products'];
  return Array.isArray(products) && products.length > 0 ? products : undefined;
}

