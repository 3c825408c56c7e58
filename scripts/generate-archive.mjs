#!/usr/bin/env node
// Generator of large, realistic Segment archives for tests and the benchmark.
//
//   import { generateArchive } from '../scripts/generate-archive.mjs';
//   const { files, messages, bytes, rawBytes, counts } =
//     await generateArchive({ dir, messages: 1_000_000, files: 8, seed: 1, format: 'ndjson', gzip: true, layout: 's3' });
//
//   node scripts/generate-archive.mjs --dir /tmp/x --messages 100000 [--files 8] [--format ndjson|json|csv]
//        [--no-gzip] [--layout s3|flat] [--seed 1] [--source Xk3v9Q2pLm]
//
// Output is deterministic for a seed (own PRNG, fixed gzip level, gzip header mtime 0). Messages are produced
// lazily and written through streams with back-pressure, so memory stays flat for any message count.
//
// Layouts:
//   s3   dir/segment-logs/<source>/<day-ms>/0001.gz            (ndjson + gzip: extensionless, like Segment's logs)
//        dir/segment-logs/<source>/<day-ms>/part-0001.<ext>[.gz] (every other format/gzip combination)
//        <day-ms> is 00:00 UTC of the receive day of the file's first message.
//   flat dir/part-0001.<ext>[.gz]
// Formats: ndjson (one message a line), json (one JSON array per file), csv (dot-path header; track-like
// messages only: tracks, Order Completed, anonymous tracks, duplicates, Braze events). `mix: 'csv'` gives
// any format CSV's track-like mix (the same messages a CSV archive of that seed holds), `mix: 'all'` the full one.
//
// Message mix (relative weights, normalised): track 35, identify 15, Order Completed (1-3 products) 8,
// page 10, screen 3, group 3, alias 2, anonymous-only track/page 12, verbatim duplicate of a recent
// message 1, Braze Currents event 1. Everything except the anonymous, duplicate and Braze-origin messages is
// valid for the default mapping (no rejects). `counts` in the result says exactly how many of each were written,
// so with the default settings (classic, --pages none, --purchases order-completed) a replay reports:
//   sent = track + identify + orderCompleted + group, rejected = 0, skipped.duplicate = duplicate,
//   skipped.anonymous = anonymous, skipped.brazeOrigin = brazeOrigin, skipped.notMapped = page + screen + alias;
//   objects.events = track, objects.attributes = identify + group.
// Average message size is ~650 bytes of NDJSON (~125 bytes gzipped at level 1).
// Timestamps increase across files over one year from 2025-01-01T00:00:00Z; users come from a pool of
// max(1000, messages / 20) IDs (2% of them numeric userIds).

import { createWriteStream, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const T0 = Date.UTC(2025, 0, 1);
const SPAN = 365 * 86_400_000;
const DAY = 86_400_000;
const CHUNK = 256 * 1024;

// ---------------------------------------------------------------------------------------------------------
// PRNG

function mulberry32(a) {
  return function next() {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash32(a, b) {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

const HEX = '0123456789abcdef';
function hex(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(rng() * 16) | 0];
  return s;
}
function uuid(rng) {
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${HEX[8 + ((rng() * 4) | 0)]}${hex(rng, 3)}-${hex(rng, 12)}`;
}

// Fast Date#toISOString for the dates generated here (same output; toISOString is the hot spot otherwise).
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = NaN;
let isoPrefix = '';
function iso(ms) {
  const day = Math.floor(ms / DAY);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * DAY).toISOString().slice(0, 11);
  }
  let r = ms - day * DAY;
  const h = (r / 3_600_000) | 0;
  r -= h * 3_600_000;
  const m = (r / 60_000) | 0;
  r -= m * 60_000;
  const s = (r / 1000) | 0;
  return `${isoPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[r - s * 1000]}Z`;
}

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

const FIRST = ['Ada', 'Grace', 'Tomas', 'Mei', 'Liam', 'Lena', 'Kofi', 'Amara', 'Noah', 'Sofia', 'Lucas', 'Yuki', 'Omar', 'Chloe',
  'Mateo', 'Priya', 'Elena', 'Jonas', 'Fatima', 'Oliver', 'Zoe', 'Arjun', 'Ines', 'Hugo', 'Aisha', 'Felix', 'Nora', 'Ravi', 'Maja', 'Leo'];
const LAST = ['Okafor', 'Hopper', 'Rivera', 'Chen', "O'Connor", 'Schmidt', 'Mensah', 'Nwosu', 'Muller', 'Rossi', 'Dubois', 'Tanaka',
  'Haddad', 'Martin', 'Garcia', 'Patel', 'Ivanova', 'Berg', 'Khan', 'Smith', 'Novak', 'Kumar', 'Silva', 'Moreau', 'Ali', 'Weber',
  'Larsen', 'Shah', 'Kowalski', 'Costa'];
const PLACES = [
  ['London', 'GB', 'GBP'], ['Leeds', 'United Kingdom', 'GBP'], ['Manchester', 'UK', 'GBP'], ['New York', 'US', 'USD'],
  ['Portland', 'USA', 'USD'], ['Austin', 'United States', 'USD'], ['Berlin', 'DE', 'EUR'], ['Hamburg', 'Germany', 'EUR'],
  ['Paris', 'FR', 'EUR'], ['Madrid', 'ES', 'EUR'], ['Dublin', 'Ireland', 'EUR'], ['Amsterdam', 'NL', 'EUR'],
  ['Toronto', 'CA', 'CAD'], ['Sydney', 'AU', 'AUD'], ['Accra', 'GH', 'USD'], ['Tokyo', 'JP', 'JPY'],
];
const GENDERS = ['female', 'male', 'F', 'M', 'f', 'm', 'Woman', 'man', 'other', 'prefer not to say'];
const PLANS = ['free', 'starter', 'pro', 'team', 'enterprise'];
const CATEGORIES = ['strategy', 'co-op', 'party', 'family', 'puzzles', 'card-games', 'miniatures', 'classics'];
const UAS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Mobile Safari/537.36',
];
const LOCALES = ['en-GB', 'en-US', 'de-DE', 'fr-FR', 'es-ES', 'en-IE', 'nl-NL'];
const AJS = { name: 'analytics.js', version: 'npm:next-1.70.0' };
const NODE = { name: 'analytics-node', version: '2.1.0' };
const SWIFT = { name: 'analytics-swift', version: '1.6.0' };
const KOTLIN = { name: 'analytics-kotlin', version: '1.16.3' };

const PRODUCTS = [];
{
  const names = ['Catan', 'Azul', 'Wingspan', 'Ticket to Ride', 'Carcassonne', 'Pandemic', 'Codenames', 'Dixit', 'Splendor',
    'Terraforming Mars', 'Root', 'Everdell', 'Cascadia', 'Patchwork', 'Kingdomino', 'Uno', 'Monopoly', 'Scrabble', 'Jaipur',
    'The Crew', 'Hanabi', 'Sleeves (100)', 'Dice tower', 'Card holder', 'Gift wrap', 'Playmat', 'Token set', 'Sticker pack',
    'Expansion pack', 'Insert organiser'];
  const brands = ['Kosmos', 'Plan B', 'Stonemaier', 'Days of Wonder', 'Z-Man', 'Asmodee', 'Hasbro', 'Mattel', 'Leder'];
  const r = mulberry32(12345);
  names.forEach((name, i) => {
    PRODUCTS.push({ product_id: `p_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/_$/, '')}`, sku: `${10000 + i * 37}-${hex(r, 2)}`,
      name, brand: brands[i % brands.length], category: CATEGORIES[i % CATEGORIES.length], price: Math.round((3 + r() * 60) * 100) / 100 });
  });
}

// Track events: each returns a properties object (3-8 keys, some nested).
const EVENTS = [
  ['Product Viewed', 8, (g, p) => ({ product_id: p.product_id, name: p.name, category: p.category, price: p.price, currency: g.currency })],
  ['Product Added', 7, (g, p) => ({ cart_id: `cart_${g.int(1e6)}`, product_id: p.product_id, name: p.name, price: p.price, quantity: g.int(3) + 1, source: { section: g.pick(['recommended', 'search', 'category']), position: g.int(12) + 1 } })],
  ['Product Removed', 2, (g, p) => ({ cart_id: `cart_${g.int(1e6)}`, product_id: p.product_id, name: p.name, price: p.price, quantity: 1 })],
  ['Products Searched', 4, (g) => ({ query: `${g.pick(CATEGORIES)} games`, results: g.int(80), filters: { price_max: 10 * (g.int(10) + 1), in_stock: g.bool() } })],
  ['Product List Viewed', 3, (g) => ({ list_id: g.pick(CATEGORIES), category: g.pick(CATEGORIES), sort: g.pick(['popular', 'price_asc', 'newest']) })],
  ['Cart Viewed', 3, (g, p) => ({ cart_id: `cart_${g.int(1e6)}`, items: [{ product_id: p.product_id, quantity: 1 }], totals: { value: p.price, currency: g.currency } })],
  ['Checkout Started', 3, (g, p) => ({ checkout_id: `chk_${g.int(1e6)}`, value: p.price, currency: g.currency, coupon: g.bool() ? 'SPRING' : null })],
  ['Checkout Step Viewed', 3, (g) => ({ checkout_id: `chk_${g.int(1e6)}`, step: g.int(4) + 1, shipping_method: g.pick(['DHL Express', 'Royal Mail', 'UPS Ground']), payment_method: g.pick(['card', 'paypal', 'apple_pay']) })],
  ['Coupon Applied', 1, (g) => ({ order_id: `ord_${g.int(1e7)}`, coupon_id: 'c_spring', coupon_name: 'SPRING', discount: g.int(20) + 1 })],
  ['Video Played', 3, (g) => ({ video_id: `v_${g.int(500)}`, title: 'How to play in 5 minutes', position_s: 0, autoplay: g.bool(), quality: g.pick(['720p', '1080p']) })],
  ['Video Completed', 2, (g) => ({ video_id: `v_${g.int(500)}`, position_s: 301, total_length_s: 301, percent_complete: 100 })],
  ['Article Viewed', 3, (g) => ({ article_id: `a_${g.int(900)}`, title: 'What to play this season', author: { id: `auth_${g.int(9)}`, name: 'Shop Team' }, word_count: 400 + g.int(1600), tags: [g.pick(CATEGORIES), g.pick(CATEGORIES)] })],
  ['Feature Used', 3, (g) => ({ feature: g.pick(['wishlist_share', 'dark_mode', 'price_alert', 'team_invite']), count: g.int(9) + 1, settings: { visibility: g.pick(['friends', 'public']), notify: { email: g.bool(), push: g.bool() } } })],
  ['Signed Up', 1, (g) => ({ method: g.pick(['email', 'google', 'apple']), plan: g.pick(PLANS), referral: { code: `FRIEND${g.int(99)}`, campaign: 'spring_referrals' } })],
  ['Promotion Viewed', 2, (g) => ({ promotion_id: 'promo_spring', creative: g.pick(['hero_banner_v2', 'sidebar_v1']), name: 'Spring Sale', position: g.pick(['home_top', 'cart']) })],
  ['Subscription Renewed', 1, (g) => ({ plan: 'pro_monthly', revenue: 9.99, currency: g.currency, period_days: 30 })],
];
const EVENT_TABLE = [];
EVENTS.forEach(([name, w, fn]) => { for (let i = 0; i < w; i++) EVENT_TABLE.push([name, fn]); });

const BRAZE_EVENTS = ['Email Sent', 'Email Delivered', 'Email Opened', 'Email Link Clicked', 'Push Notification Sent',
  'Push Notification Tapped', 'In-App Message Viewed', 'Content Card Viewed', 'Canvas Entered', 'SMS Delivered'];
const PAGES = [['Home', null], ['Pricing', null], ['Product', 'Shop'], ['Cart', 'Shop'], ['Checkout', 'Shop'], ['Getting Started', 'Docs'],
  ['Spring Sale', 'Blog'], ['Account', 'Settings'], [null, null]];
const SCREENS = ['Home', 'Basket', 'Product Detail', 'Search', 'Settings', 'Order History'];

const KINDS = [
  ['track', 35], ['identify', 15], ['orderCompleted', 8], ['page', 10], ['screen', 3], ['group', 3], ['alias', 2],
  ['anonymous', 12], ['duplicate', 1], ['brazeOrigin', 1],
];
const CSV_KINDS = new Set(['track', 'orderCompleted', 'anonymous', 'duplicate', 'brazeOrigin']);

function kindTable(format, mix) {
  const table = [];
  const trackLike = (mix ?? (format === 'csv' ? 'csv' : 'all')) === 'csv';
  for (const [k, w] of KINDS) if (!trackLike || CSV_KINDS.has(k)) for (let i = 0; i < w; i++) table.push(k);
  return table;
}

// ---------------------------------------------------------------------------------------------------------
// Message factory

function createFactory({ seed, total, format, mix }) {
  const rng = mulberry32(hash32(seed, 0x5e9));
  const pool = Math.max(1000, Math.floor(total / 20));
  const groups = Math.max(50, Math.floor(pool / 10));
  const kinds = kindTable(format, mix);
  const csvMix = (mix ?? (format === 'csv' ? 'csv' : 'all')) === 'csv';
  const g = {
    rng,
    int: (n) => (rng() * n) | 0,
    pick: (a) => a[(rng() * a.length) | 0],
    bool: () => rng() < 0.5,
    currency: 'USD',
  };
  let counter = 0;

  const pickPlatform = (x) => (x < 0.35 ? 'web' : x < 0.85 ? 'server' : 'mobile');

  function user(k) {
    const r = mulberry32(hash32(seed, k + 1));
    const numeric = k % 50 === 7;
    const first = FIRST[(r() * FIRST.length) | 0];
    const last = LAST[(r() * LAST.length) | 0];
    const place = PLACES[(r() * PLACES.length) | 0];
    return {
      k, first, last, place,
      userId: numeric ? 500000 + k : `u_${100000 + k}`,
      anonymousId: uuid(r),
      email: `${first}.${last}${k}@example.com`.toLowerCase().replace(/'/g, ''),
      ip: `${[203, 198, 192][k % 3]}.${[0, 51, 0][k % 3]}.${[113, 100, 2][k % 3]}.${k % 250 + 1}`,
      platform: pickPlatform(r()),
      ua: UAS[(r() * UAS.length) | 0],
      locale: LOCALES[(r() * LOCALES.length) | 0],
    };
  }

  function messageId(platform) {
    counter++;
    const tail = counter.toString(16).padStart(12, '0');
    if (platform === 'web') return `ajs-next-${hex(rng, 12)}${tail}`;
    if (platform === 'server') return `node-${hex(rng, 12)}-${tail}`;
    return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${HEX[8 + g.int(4)]}${hex(rng, 3)}-${tail}`.toUpperCase();
  }

  function context(u, platform, extra) {
    if (platform === 'web') return { ip: u.ip, library: AJS, userAgent: u.ua, ...extra };
    if (platform === 'server') return u.k % 2 ? { library: NODE, ...extra } : { ip: u.ip, library: NODE, ...extra };
    const ios = u.k % 2 === 0;
    return {
      app: { name: 'Shop', version: '5.2.0' }, ip: u.ip, library: ios ? SWIFT : KOTLIN,
      os: { name: ios ? 'iOS' : 'Android', version: ios ? '18.2' : '14' }, ...extra,
    };
  }

  function stamp(m, t, platform) {
    const skew = platform === 'server' ? -(g.int(40) + 5) : g.int(4000) - 2000;
    const queue = platform === 'server' ? g.int(300) + 20 : g.int(2000) + 100;
    m.originalTimestamp = iso(t + skew);
    m.receivedAt = iso(t + queue);
    m.sentAt = iso(t + skew + queue);
    m.timestamp = iso(t);
  }

  // Assembles the message with keys in the alphabetical order Segment's archives show.
  function assemble(type, u, anonymousId, t, platform, fields) {
    const m = {};
    if (anonymousId) m.anonymousId = anonymousId;
    m.channel = platform === 'web' ? 'browser' : platform === 'server' ? 'server' : 'mobile';
    Object.assign(m, fields);
    m.integrations = {};
    m.messageId = messageId(platform);
    stamp(m, t, platform);
    m.type = type;
    if (u) m.userId = u.userId;
    m.version = 2;
    return m;
  }

  function track(u, t, platform) {
    const [event, fn] = g.pick(EVENT_TABLE);
    g.currency = u.place[2];
    const properties = fn(g, g.pick(PRODUCTS));
    return assemble('track', u, platform === 'server' ? undefined : u.anonymousId, t, platform,
      { context: context(u, platform), event, properties });
  }

  function identify(u, t, platform) {
    const traits = {};
    const style = g.int(10);
    if (style < 6) { traits.firstName = u.first; traits.lastName = u.last; }
    else if (style < 8) { traits.first_name = u.first; traits.last_name = u.last; }
    else traits.name = `${u.first} ${u.last}`;
    traits.email = u.email;
    if (g.rng() < 0.5) traits.phone = `+44 7700 9${String(u.k % 100000).padStart(5, '0')}`;
    if (g.rng() < 0.4) traits.birthday = `19${60 + (u.k % 40)}-${String((u.k % 12) + 1).padStart(2, '0')}-${String((u.k % 28) + 1).padStart(2, '0')}`;
    if (g.rng() < 0.6) traits.gender = GENDERS[u.k % GENDERS.length];
    if (g.rng() < 0.7) traits.address = g.rng() < 0.5 ? { city: u.place[0], country: u.place[1] } : { city: u.place[0], country: u.place[1], postalCode: `${10000 + (u.k % 89999)}` };
    if (g.rng() < 0.2) traits.avatar = `https://cdn.example.org/avatars/${u.k}.png`;
    traits.plan = g.pick(PLANS);
    if (g.rng() < 0.5) traits.lifetime_orders = g.int(40);
    if (g.rng() < 0.3) traits.vip = g.bool();
    if (g.rng() < 0.3) traits.favorite_categories = [g.pick(CATEGORIES), g.pick(CATEGORIES)];
    if (g.rng() < 0.15) traits.preferences = { newsletter: g.bool(), channels: { email: g.bool(), sms: g.bool() } };
    if (g.rng() < 0.1) traits.referral_code = null;
    return assemble('identify', u, platform === 'server' ? undefined : u.anonymousId, t, platform, { context: context(u, platform), traits });
  }

  function orderCompleted(u, t, platform) {
    const n = 1 + g.int(3);
    const products = [];
    let subtotal = 0;
    for (let i = 0; i < n; i++) {
      const p = g.pick(PRODUCTS);
      const quantity = g.rng() < 0.8 ? 1 : 2 + g.int(4);
      subtotal += p.price * quantity;
      products.push({ product_id: p.product_id, name: p.name, price: p.price, quantity });
    }
    subtotal = Math.round(subtotal * 100) / 100;
    const shipping = g.pick([0, 3, 4.5]);
    const properties = {
      order_id: `ord_${g.int(1e8)}`, total: Math.round((subtotal + shipping) * 100) / 100, revenue: subtotal, shipping,
      currency: u.place[2], products,
    };
    return assemble('track', u, platform === 'server' ? undefined : u.anonymousId, t, platform,
      { context: context(u, platform), event: 'Order Completed', properties });
  }

  function page(u, anonymousId, t) {
    const [name, category] = g.pick(PAGES);
    const path = name ? `/${(category ? category + '/' : '') + name}`.toLowerCase().replace(/ /g, '-') : `/p/${g.pick(PRODUCTS).product_id}`;
    const title = name ?? 'Example Shop';
    const properties = {};
    if (name) properties.name = name;
    if (category) properties.category = category;
    Object.assign(properties, { path, title, url: `https://shop.example.org${path}` });
    const fields = {};
    if (category) fields.category = category;
    fields.context = context(u, 'web');
    if (name) fields.name = name;
    fields.properties = properties;
    return assemble('page', anonymousId ? null : u, anonymousId ?? u.anonymousId, t, 'web', fields);
  }

  function screen(u, t) {
    const name = g.pick(SCREENS);
    return assemble('screen', u, u.anonymousId, t, 'mobile', { context: context(u, 'mobile'), name, properties: { name, items: g.int(5) } });
  }

  function group(u, t, platform) {
    const gi = u.k % groups;
    return assemble('group', u, undefined, t, platform, {
      context: context(u, platform), groupId: `acct_${gi + 1}`,
      traits: { name: `Company ${gi + 1}`, plan: PLANS[gi % PLANS.length], employees: String(10 + (gi % 500)), industry: g.pick(['Software', 'Retail', 'Media']) },
    });
  }

  function alias(u, t) {
    return assemble('alias', u, u.anonymousId, t, 'web', { context: context(u, 'web'), previousId: u.anonymousId });
  }

  function anonymous(t) {
    const v = user(pool + g.int(pool)); // visitors that never identify
    if (!csvMix && g.rng() < 0.3) return page(v, v.anonymousId, t);
    const p = g.pick(PRODUCTS);
    const event = g.pick(['Product Viewed', 'Product Clicked', 'Products Searched', 'Signup Form Viewed']);
    const properties = event === 'Signup Form Viewed' ? { form: 'newsletter', variant: g.pick(['a', 'b']) } : event === 'Products Searched'
      ? { query: `${g.pick(CATEGORIES)} games`, results: g.int(80) } : { product_id: p.product_id, name: p.name, price: p.price, currency: v.place[2] };
    return assemble('track', null, v.anonymousId, t, 'web', { context: context(v, 'web'), event, properties });
  }

  function braze(u, t) {
    const event = g.pick(BRAZE_EVENTS);
    const properties = { app_id: 'b1c2d3e4-0000-4000-8000-000000000001', dispatch_id: `d_${hex(rng, 8)}`, send_id: null,
      campaign_id: `c_${hex(rng, 6)}`, campaign_name: g.pick(['March Newsletter', 'Cart reminder', 'Welcome series']), message_variation_id: `mv_${g.int(9)}` };
    if (event.startsWith('Email')) properties.user_agent = u.ua;
    const ctx = g.bool() ? { integration: { name: 'braze', version: '1.0.0' }, library: { name: 'braze', version: '1.0.0' } } : { library: { name: 'braze', version: '1.0.0' } };
    if (event.startsWith('Email')) ctx.traits = { email: u.email };
    return assemble('track', u, undefined, t, 'server', { context: ctx, event, properties });
  }

  return {
    pool,
    /** returns [kind, message] for the message at time t; the caller handles 'duplicate' */
    next(t) {
      const kind = g.pick(kinds);
      if (kind === 'duplicate') return ['duplicate', null];
      if (kind === 'anonymous') return ['anonymous', anonymous(t)];
      const u = user(g.int(pool));
      switch (kind) {
        case 'track': return ['track', track(u, t, u.platform)];
        case 'identify': return ['identify', identify(u, t, u.platform)];
        case 'orderCompleted': return ['orderCompleted', orderCompleted(u, t, u.platform)];
        case 'page': return ['page', page(u, null, t)];
        case 'screen': return ['screen', screen(u, t)];
        case 'group': return ['group', group(u, t, u.platform === 'mobile' ? 'server' : u.platform)];
        case 'alias': return ['alias', alias(u, t)];
        default: return ['brazeOrigin', braze(u, t)];
      }
    },
    rng,
  };
}

// ---------------------------------------------------------------------------------------------------------
// CSV (dot paths; track-like messages only)

const CSV_COLUMNS = ['type', 'messageId', 'userId', 'anonymousId', 'event', 'timestamp', 'receivedAt', 'sentAt', 'originalTimestamp',
  'context.ip', 'context.library.name', 'context.integration.name'];
const CSV_PROPS = (() => {
  const keys = new Set();
  const g = { int: () => 1, pick: (a) => a[0], bool: () => true, currency: 'USD' };
  for (const [, , fn] of EVENTS) for (const k of Object.keys(fn(g, PRODUCTS[0]))) keys.add(k);
  for (const k of ['order_id', 'total', 'revenue', 'shipping', 'currency', 'products', 'form', 'variant', 'query', 'results',
    'app_id', 'dispatch_id', 'send_id', 'campaign_id', 'campaign_name', 'message_variation_id', 'user_agent']) keys.add(k);
  return [...keys];
})();
const CSV_HEADER = [...CSV_COLUMNS, ...CSV_PROPS.map((k) => `properties.${k}`)].join(',') + '\n';

function csvCell(v) {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function csvRow(m) {
  const c = m.context ?? {};
  const cells = [m.type, m.messageId, m.userId, m.anonymousId, m.event, m.timestamp, m.receivedAt, m.sentAt, m.originalTimestamp,
    c.ip, c.library?.name, c.integration?.name];
  const p = m.properties ?? {};
  for (const k of CSV_PROPS) cells.push(p[k]);
  return cells.map(csvCell).join(',') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// Writer

function fileName(index, format, gzip, layout) {
  const n = String(index + 1).padStart(4, '0');
  const ext = format === 'csv' ? 'csv' : format === 'json' ? 'json' : 'ndjson';
  if (layout === 's3' && format === 'ndjson' && gzip) return `${n}.gz`;
  return `part-${n}.${ext}${gzip ? '.gz' : ''}`;
}

/**
 * generateArchive into `dir` once: a later call finds `dir/.complete.json` (written last, so a run
 * stopped half-way generates again) and returns its summary { dir, messages, bytes, rawBytes }.
 * The benches cache their archives this way in the temp directory.
 */
export async function cachedArchive(dir, options) {
  const done = join(dir, '.complete.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`Generating ${Number(options.messages).toLocaleString('en-US')} messages in ${dir}…\n`);
  const result = await generateArchive({ ...options, dir });
  const summary = { dir, messages: result.messages, bytes: result.bytes, rawBytes: result.rawBytes };
  writeFileSync(done, JSON.stringify(summary));
  return summary;
}

export async function generateArchive({
  dir, messages = 1_000_000, files = 8, seed = 1, format = 'ndjson', gzip = true, layout = 's3', source = 'Xk3v9Q2pLm', mix,
} = {}) {
  if (!dir) throw new Error('generateArchive: dir is required');
  if (!['ndjson', 'json', 'csv'].includes(format)) throw new Error(`generateArchive: unknown format ${format}`);
  if (!['s3', 'flat'].includes(layout)) throw new Error(`generateArchive: unknown layout ${layout}`);
  messages = Math.floor(Number(messages));
  files = Math.max(1, Math.floor(Number(files)));
  if (!(messages >= 0)) throw new Error('generateArchive: messages must be a number >= 0');
  const root = resolve(dir);
  if (mix !== undefined && !['all', 'csv'].includes(mix)) throw new Error(`generateArchive: unknown mix ${mix}`);
  const factory = createFactory({ seed: Number(seed) | 0, total: messages, format, mix });
  const counts = { track: 0, identify: 0, orderCompleted: 0, page: 0, screen: 0, group: 0, alias: 0, anonymous: 0, duplicate: 0, brazeOrigin: 0 };
  const recent = []; // ring of recent serialised records, for verbatim duplicates
  const RING = 256;
  let ringPos = 0;
  const written = [];
  let bytes = 0;
  let rawBytes = 0;
  const timeAt = (i) => T0 + Math.floor((i + factory.rng()) * SPAN / Math.max(1, messages));

  for (let f = 0; f < files; f++) {
    const from = Math.floor((f * messages) / files);
    const to = Math.floor(((f + 1) * messages) / files);
    const firstTime = T0 + Math.floor((from * SPAN) / Math.max(1, messages));
    const day = firstTime - (firstTime % DAY);
    const name = fileName(f, format, gzip, layout);
    const path = layout === 's3' ? join(root, 'segment-logs', source, String(day), name) : join(root, name);
    mkdirSync(dirname(path), { recursive: true });

    function* chunks() {
      let buf = format === 'json' ? '[' : format === 'csv' ? CSV_HEADER : '';
      for (let i = from; i < to; i++) {
        let [kind, m] = factory.next(timeAt(i));
        let rec;
        if (kind === 'duplicate') {
          if (recent.length === 0) { // nothing to repeat yet: an ordinary track instead
            do [kind, m] = factory.next(timeAt(i)); while (kind === 'duplicate');
          } else {
            rec = recent[(factory.rng() * recent.length) | 0];
          }
        }
        if (rec === undefined) {
          rec = format === 'csv' ? csvRow(m) : JSON.stringify(m);
          if (recent.length < RING) recent.push(rec); else { recent[ringPos] = rec; ringPos = (ringPos + 1) % RING; }
        }
        counts[kind]++;
        if (format === 'json') buf += (i === from ? '\n' : ',\n') + rec;
        else if (format === 'csv') buf += rec;
        else buf += rec + '\n';
        if (buf.length >= CHUNK) {
          const b = Buffer.from(buf);
          rawBytes += b.length;
          yield b;
          buf = '';
        }
      }
      if (format === 'json') buf += to > from ? '\n]\n' : ']\n';
      if (buf.length) {
        const b = Buffer.from(buf);
        rawBytes += b.length;
        yield b;
      }
    }

    const out = createWriteStream(path);
    if (gzip) await pipeline(Readable.from(chunks()), createGzip({ level: 1 }), out);
    else await pipeline(Readable.from(chunks()), out);
    bytes += out.bytesWritten;
    written.push(path);
  }
  return { files: written, messages, bytes, rawBytes, counts, users: factory.pool };
}

// ---------------------------------------------------------------------------------------------------------
// CLI

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const usage = 'usage: node scripts/generate-archive.mjs --dir <dir> [--messages 1000000] [--files 8] [--format ndjson|json|csv] [--no-gzip] [--layout s3|flat] [--seed 1] [--source <id>]';
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string' }, messages: { type: 'string' }, files: { type: 'string' }, seed: { type: 'string' },
        format: { type: 'string' }, layout: { type: 'string' }, source: { type: 'string' },
        'no-gzip': { type: 'boolean' }, gzip: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) { console.log(usage); process.exit(0); }
  if (!values.dir) { console.error(usage); process.exit(2); }
  const num = (s, d) => (s === undefined ? d : Number(s.replace(/_/g, '')));
  const started = Date.now();
  generateArchive({
    dir: values.dir, messages: num(values.messages, 1_000_000), files: num(values.files, 8), seed: num(values.seed, 1),
    format: values.format ?? 'ndjson', gzip: !values['no-gzip'], layout: values.layout ?? 's3', source: values.source ?? 'Xk3v9Q2pLm',
  }).then((r) => {
    console.log(JSON.stringify({ ...r, seconds: (Date.now() - started) / 1000 }, null, 2));
  }, (e) => {
    console.error(e.message);
    process.exit(1);
  });
}
