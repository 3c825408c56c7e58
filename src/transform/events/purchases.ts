import type { BrazeObject } from '../types.js';
import type { MapContext, Mapped } from '../context.js';
import { brazeObject, objectHead } from '../context.js';
import { MAX_QUANTITY, MAX_STRING, isRecord, truncate } from '../limits.js';
import { dotted, indexedPath } from '../paths.js';
import { cleanProperties, fromProperties, propertiesTooLarge, type PropertyOrigin } from './properties.js';
import { currency, price, productId, productIdKey, productsOf, quantity, revenue } from './purchase-fields.js';
import { traceChanged, traceMapped, traceMappedKey } from '../trace.js';

/** The e-commerce spec's order event and its v1 name. */
const ORDER_COMPLETED: ReadonlySet<string> = new Set(['Order Completed', 'Completed Order']);

/** True for `Order Completed` (or v1 `Completed Order`). */
export function isOrderCompleted(event: string): boolean {
  return ORDER_COMPLETED.has(event);
}

/**
 * The purchases a track becomes under --purchases (mapping.md §5), or undefined when it stays a
 * custom event. Partly invalid products give `ok: false` with the good purchases in `objects`.
 */
export function trackPurchases(ctx: MapContext, event: string): Mapped | undefined {
  const mode = ctx.settings.purchases;
  if (mode === 'none') return undefined;
  const props = ctx.msg['properties'];
  const order = isRecord(props) ? props : {};
  const products = productsOf(order);
  if (products !== undefined) {
    return mode === 'order-completed' && !isOrderCompleted(event) ? undefined : productPurchases(ctx, order, products);
  }
  const amount = mode === 'revenue' ? revenue(order) : undefined;
  return amount === undefined ? undefined : revenuePurchase(ctx, event, order, amount);
}

function productPurchases(ctx: MapContext, order: Record<string, unknown>, products: unknown[]): Mapped {
  const objects: BrazeObject[] = [];
  const errors: string[] = [];
  for (let i = 0; i < products.length; i++) {
    const made = productPurchase(ctx, order, products[i], i, objects.length);
    if (typeof made === 'string') errors.push(`products[${i}]: ${made}`);
    else objects.push(...made);
  }
  if (errors.length === 0) return { ok: true, objects };
  return { ok: false, reason: errors.join('; '), field: 'properties.products', objects };
}

/** The fields of one purchase object, before identifiers and options are added. */
interface PurchaseFields {
  readonly productId: string;
  readonly currency: string;
  readonly price: number;
  readonly quantity: number;
  readonly properties: Record<string, unknown> | undefined;
}

/** One product -> its purchases (several when quantity > 100), or the reason it is rejected. */
function productPurchase(ctx: MapContext, order: Record<string, unknown>, product: unknown, i: number, first: number): BrazeObject[] | string {
  if (!isRecord(product)) return 'not an object';
  const idKey = productIdKey(product);
  const id = productId(idKey === undefined ? undefined : product[idKey]);
  if (!id.ok) return id.reason;
  const cost = price(product['price']);
  if (!cost.ok) return cost.reason;
  const count = quantity(product['quantity']);
  if (!count.ok) return count.reason;
  const classic = ctx.settings.preset === 'classic';
  // actions: the order currency is not used for the currency field (mapping.md §8).
  const money = currency(product['currency'] ?? (classic ? order['currency'] : undefined));
  if (!money.ok) return money.reason;
  const props = purchaseProperties(ctx, order, product, idKey!, i, first);
  const tooLarge = propertiesTooLarge(props, ctx.measureProperties);
  if (tooLarge !== undefined) return tooLarge;
  if (ctx.trace) traceProduct(ctx, product, idKey!, i, first, id.value, cost.value, count.value);
  const objects: BrazeObject[] = [];
  // A loop, not map() with a callback made for each product (V8 compiled those again and again).
  for (const n of splitQuantity(count.value)) objects.push(purchaseObject(ctx, { productId: id.value, currency: money.value, price: cost.value, quantity: n, properties: props }));
  return objects;
}

/**
 * classic: product keys not used above, then order keys (not `products`/`currency`) the product
 * lacks: the product wins. actions: product keys overlaid by every order key but `products`.
 */
function purchaseProperties(
  ctx: MapContext, order: Record<string, unknown>, product: Record<string, unknown>, idKey: string, i: number, first: number,
): Record<string, unknown> | undefined {
  const keys = new ProductKeys(ctx.settings.preset === 'classic', order, product, idKey, i, first);
  // Written as loops rather than object rest/spread: this runs once per product on the hot path.
  const merged: Record<string, unknown> = {};
  for (const key in product) if (!keys.used(key)) merged[key] = product[key];
  for (const key in order) {
    if (key === 'products' || (keys.classic && (key === 'currency' || keys.own(key)))) continue;
    merged[key] = order[key];
  }
  return cleanProperties(merged, keys, dotted(indexedPath('purchases', first), 'properties'), ctx.trace);
}

/**
 * Which keys of a product and its order go into a purchase's properties, and where each comes from
 * (a class, not closures made for each product: V8 compiled those again and again).
 */
class ProductKeys implements PropertyOrigin {
  constructor(
    readonly classic: boolean,
    private readonly order: Record<string, unknown>,
    private readonly product: Record<string, unknown>,
    private readonly idKey: string,
    private readonly i: number,
    private readonly first: number,
  ) {}

  /** Made into the purchase's own fields. */
  used(key: string): boolean {
    return key === this.idKey || key === 'price' || key === 'quantity' || key === 'currency';
  }

  /** The product's own property. */
  own(key: string): boolean {
    return Object.hasOwn(this.product, key) && !this.used(key);
  }

  /** Order keys repeat on every purchase: traced once, with the first purchase. */
  prefix(key: string): string | undefined {
    return this.#fromOrder(key) ? (this.first === 0 ? 'properties' : undefined) : indexedPath('properties.products', this.i);
  }

  #fromOrder(key: string): boolean {
    return this.classic ? !this.own(key) : key !== 'products' && Object.hasOwn(this.order, key);
  }
}

function traceProduct(
  ctx: MapContext, product: Record<string, unknown>, idKey: string, i: number, first: number,
  id: string, cost: number, count: number,
): void {
  const from = indexedPath('properties.products', i);
  const to = indexedPath('purchases', first);
  const trace = ctx.trace!;
  trace.push(traceMapped(dotted(from, idKey), dotted(to, 'product_id'), product[idKey] !== id ? id : undefined));
  trace.push(traceMappedKey(from, to, 'price', product['price'] !== cost ? cost : undefined));
  if (count > MAX_QUANTITY) {
    const reason = `split into ${splitQuantity(count).length} purchases of at most ${MAX_QUANTITY}`;
    trace.push(traceChanged(dotted(from, 'quantity'), dotted(to, 'quantity'), reason, splitQuantity(count)));
  } else if (product['quantity'] !== undefined && product['quantity'] !== null) {
    trace.push(traceMappedKey(from, to, 'quantity', product['quantity'] !== count ? count : undefined));
  }
  if (product['currency'] !== undefined && product['currency'] !== null) trace.push(traceMappedKey(from, to, 'currency'));
}

/** 250 -> [100, 100, 50]: Braze caps quantity at 100 per purchase object. */
export function splitQuantity(total: number): number[] {
  const parts: number[] = [];
  for (let left = total; left > 0; left -= MAX_QUANTITY) parts.push(Math.min(left, MAX_QUANTITY));
  return parts;
}

/** --purchases revenue: a track with a numeric revenue and no products is one purchase of the event. */
function revenuePurchase(ctx: MapContext, event: string, order: Record<string, unknown>, amount: number): Mapped {
  const money = currency(order['currency']);
  if (!money.ok) return { ok: false, reason: money.reason, field: 'properties.currency', objects: [] };
  const { revenue: _revenue, currency: _currency, products: _products, ...rest } = order;
  const props = cleanProperties(rest, fromProperties, 'purchases[0].properties', ctx.trace);
  const tooLarge = propertiesTooLarge(props, ctx.measureProperties);
  if (tooLarge !== undefined) return { ok: false, reason: tooLarge, field: 'properties', objects: [] };
  const id = event.length > MAX_STRING ? truncate(event) : event;
  if (ctx.trace) {
    ctx.trace.push(traceChanged('event', 'purchases[0].product_id', 'revenue without products: event name is the product', id));
    ctx.trace.push(traceMapped('properties.revenue', 'purchases[0].price', order['revenue'] !== amount ? amount : undefined));
  }
  return { ok: true, objects: [purchaseObject(ctx, { productId: id, currency: money.value, price: amount, quantity: 1, properties: props })] };
}

function purchaseObject(ctx: MapContext, fields: PurchaseFields): BrazeObject {
  const body = objectHead(ctx, 'purchases');
  body['product_id'] = fields.productId;
  body['currency'] = fields.currency;
  body['price'] = fields.price;
  body['quantity'] = fields.quantity;
  body['time'] = ctx.time;
  if (fields.properties !== undefined) body['properties'] = fields.properties;
  return brazeObject(ctx, 'purchases', body);
}
