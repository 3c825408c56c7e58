import { UsageError } from '../errors.js';

/**
 * Braze instance names and their REST hosts (reference-braze-and-segment.md §C). A convenience alias
 * list only: Braze adds instances over time, so a full URL is always accepted too.
 */
export const INSTANCES: Readonly<Record<string, string>> = Object.freeze({
  'US-01': 'https://rest.iad-01.braze.com',
  'US-02': 'https://rest.iad-02.braze.com',
  'US-03': 'https://rest.iad-03.braze.com',
  'US-04': 'https://rest.iad-04.braze.com',
  'US-05': 'https://rest.iad-05.braze.com',
  'US-06': 'https://rest.iad-06.braze.com',
  'US-07': 'https://rest.iad-07.braze.com',
  'US-08': 'https://rest.iad-08.braze.com',
  'US-10': 'https://rest.us-10.braze.com',
  'EU-01': 'https://rest.fra-01.braze.eu',
  'EU-02': 'https://rest.fra-02.braze.eu',
  'AU-01': 'https://rest.au-01.braze.com',
});

/** Hosts where plain http is allowed: the local emulator. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const INSTANCE_NAME = /^[a-z]{2}-\d{2}$/i;

/**
 * Turns an --endpoint / BRAZE_REST_ENDPOINT value (a REST URL or an instance name such as `US-01`)
 * into the origin requests go to, without a trailing slash.
 * @throws UsageError with a message that says what is wrong and what to use instead.
 */
export function resolveEndpoint(value: string): string {
  const text = value.trim();
  if (text === '') throw new UsageError('The Braze endpoint is empty: pass --endpoint <url|instance> or set BRAZE_REST_ENDPOINT');
  if (INSTANCE_NAME.test(text)) return instanceUrl(text);
  if (/^https?:\/\/https?(:|\/\/)/i.test(text)) {
    throw new UsageError(`The endpoint ${text} has a doubled scheme; use ${text.replace(/^https?:\/\//i, '')}`);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new UsageError(withoutScheme(text));
  const url = parseUrl(text);
  checkUrl(url, text);
  return url.origin;
}

/** A host name, maybe with a port and a path: what people paste from Braze's dashboard. */
const BARE_HOST = /^((?:[a-z0-9-]+\.)+[a-z0-9-]+|localhost|127\.0\.0\.1)(:\d+)?(?:\/.*)?$/i;

/**
 * The message for a value with no scheme: a host name gets the same host with https:// as the
 * suggestion (http:// for the emulator on loopback), or, for an SDK host, its REST host; Braze's own
 * Segment integration page warns about both mistakes.
 */
function withoutScheme(text: string): string {
  const host = BARE_HOST.exec(text);
  if (!host) return `The endpoint ${text} is not a URL or an instance name; use a URL such as https://rest.iad-01.braze.com or a name such as US-01`;
  const name = host[1]!.toLowerCase();
  const sdk = sdkHint(name);
  if (sdk) return sdk;
  const scheme = LOOPBACK.has(name) ? 'http' : 'https';
  return `The endpoint ${text} has no scheme; use ${scheme}://${name}${host[2] ?? ''}`;
}

/** For an SDK host (sdk.iad-01.braze.com), the message naming its REST endpoint. */
function sdkHint(hostname: string): string | undefined {
  if (!hostname.toLowerCase().startsWith('sdk.')) return undefined;
  return `The endpoint ${hostname} is the SDK endpoint, not the REST API's; use the REST endpoint https://rest.${hostname.slice(4)}`;
}

function instanceUrl(name: string): string {
  const url = INSTANCES[name.toUpperCase()];
  if (url !== undefined) return url;
  throw new UsageError(`Unknown Braze instance ${name}; valid instances: ${Object.keys(INSTANCES).join(', ')} (or pass the REST URL)`);
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UsageError(`The endpoint ${text} is not a valid URL`);
  }
}

/** Flat list of early rejections, in the order a user is most likely to need them. */
function checkUrl(url: URL, text: string): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The endpoint ${text} must use https:// (got ${url.protocol})`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError('The endpoint must not contain credentials; pass the API key with BRAZE_API_KEY or --api-key-file');
  }
  const sdk = sdkHint(url.hostname);
  if (sdk) throw new UsageError(sdk);
  if (url.pathname !== '/') {
    throw new UsageError(`The endpoint ${text} must not contain a path (${url.pathname}); use ${url.origin}`);
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw new UsageError(`The endpoint ${text} must not contain a query or fragment; use ${url.origin}`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname.toLowerCase())) {
    throw new UsageError(`The endpoint ${text} uses plain http://, which is allowed only for the local emulator (127.0.0.1, localhost, [::1]); use https://${url.host}`);
  }
}
