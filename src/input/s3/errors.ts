/**
 * What an S3 (or AWS SDK, or network) error means, in our own words. SDK errors can carry request
 * details; only their error code name and HTTP status are ever shown, never their message, so no
 * credential, signature or signed URL can reach the user's screen, a log or a state file.
 */

/** The parts of an SDK or network error this module looks at. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

const CREDENTIALS_REJECTED = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'ExpiredTokenException', 'UnrecognizedClientException']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'TruncatedBody']);

/** The error's code name (letters and digits only), e.g. "NoSuchBucket". */
export function errorName(error: unknown): string {
  const e = (error ?? {}) as ErrorShape;
  for (const candidate of [e.Code, e.name, e.code]) {
    if (typeof candidate === 'string' && /^[A-Za-z][\w.]{0,60}$/.test(candidate) && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as ErrorShape | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True for the faults a read is retried after: a connection cut or refused, a timeout, a body that
 * ended early, 408, 429 and 5xx (500, 503 SlowDown). Anything else (403, 404, 412: the object changed)
 * is not retried.
 */
export function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  const code = (error as ErrorShape | null)?.code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const name = errorName(error);
  if (TRANSIENT_NAMES.has(name)) return true;
  // Node's own messages for a socket closed mid-response carry no code.
  const message = error instanceof Error ? error.message : '';
  return /socket hang up|aborted|premature close|other side closed|terminated/i.test(message);
}

/**
 * One line saying why listing `what` (an s3:// URL) failed, for the exit-2 message.
 * @example "Bucket not found: s3://segment-logs/ (NoSuchBucket)"
 */
export function listingFailure(error: unknown, what: string, endpoint: string | undefined): string {
  const name = errorName(error);
  const status = httpStatus(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return `No AWS credentials found to read ${what}: set AWS_PROFILE (shared config, SSO) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with a container or instance role`;
  }
  if (CREDENTIALS_REJECTED.has(name)) return `AWS rejected the credentials used to read ${what} (${name}): check AWS_PROFILE or the access keys`;
  if (name === 'NoSuchBucket' || (status === 404 && name !== 'NoSuchKey')) return `Bucket not found: ${what} (${name})`;
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return `Access denied to ${what} (${name}): the credentials need s3:ListBucket on the bucket and s3:GetObject on its objects`;
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') return `Cannot find the region of ${what} (${name}): set AWS_REGION to the bucket's region`;
  if (status === undefined && isTransient(error)) return `Cannot reach S3 ${endpoint ? `at ${endpoint}` : ''} to list ${what} (${name})`.replace('  ', ' ');
  return `S3 refused to list ${what}: ${name}${status ? ` (HTTP ${status})` : ''}`;
}

/** The reason a read of one object failed, for rejected.ndjson. */
export function objectReadFailure(error: unknown, what: string, attempts: number): string {
  const name = errorName(error);
  const status = httpStatus(error);
  if (status === 412) return `${what} changed while it was read (its ETag differs): run again to read the new version`;
  const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
  return `S3 read of ${what} failed${tried}: ${name}${status ? ` (HTTP ${status})` : ''}`;
}
