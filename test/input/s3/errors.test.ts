import { describe, expect, it } from 'vitest';
import { isTransient, listingFailure, objectReadFailure } from '../../../src/input/s3/errors.js';

/** An error shaped as the AWS SDK throws them. */
function sdkError(name: string, status: number | undefined, message = 'details https://bucket.s3.amazonaws.com/?X-Amz-Signature=abc'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('isTransient', () => {
  it('retries 5xx, SlowDown, 408, 429, timeouts and cut connections', () => {
    expect(isTransient(sdkError('InternalError', 500))).toBe(true);
    expect(isTransient(sdkError('SlowDown', 503))).toBe(true);
    expect(isTransient(sdkError('RequestTimeout', 408))).toBe(true);
    expect(isTransient(sdkError('TooManyRequests', 429))).toBe(true);
    expect(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(new Error('aborted'))).toBe(true);
  });

  it('does not retry 403, 404, 412 or unknown errors', () => {
    expect(isTransient(sdkError('AccessDenied', 403))).toBe(false);
    expect(isTransient(sdkError('NoSuchKey', 404))).toBe(false);
    expect(isTransient(sdkError('PreconditionFailed', 412))).toBe(false);
    expect(isTransient(new Error('something else'))).toBe(false);
  });
});

describe('listingFailure', () => {
  const cases: Array<[string, Error, RegExp]> = [
    ['no credentials', sdkError('CredentialsProviderError', undefined, 'Could not load credentials from any providers'), /^No AWS credentials found to read s3:\/\/b\/p\//],
    ['refused credentials', sdkError('InvalidAccessKeyId', 403), /^AWS rejected the credentials used to read s3:\/\/b\/p\/ \(InvalidAccessKeyId\)/],
    ['a bad signature', sdkError('SignatureDoesNotMatch', 403), /^AWS rejected the credentials .*SignatureDoesNotMatch/],
    ['a missing bucket', sdkError('NoSuchBucket', 404), /^Bucket not found: s3:\/\/b\/p\/ \(NoSuchBucket\)/],
    ['access denied', sdkError('AccessDenied', 403), /^Access denied to s3:\/\/b\/p\/ \(AccessDenied\)/],
    ['an unreachable endpoint', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), /^Cannot reach S3 at http:\/\/127\.0\.0\.1:9 to list s3:\/\/b\/p\//],
  ];
  for (const [what, error, expected] of cases) {
    it(`says it in one line for ${what}, without the SDK's message`, () => {
      const line = listingFailure(error, 's3://b/p/', 'http://127.0.0.1:9');
      expect(line).toMatch(expected);
      expect(line).not.toContain('\n');
      expect(line).not.toMatch(/Signature=|amazonaws|Could not load/);
    });
  }
});

describe('objectReadFailure', () => {
  it('names a changed object and counts the attempts', () => {
    expect(objectReadFailure(sdkError('PreconditionFailed', 412), 's3://b/k', 1)).toMatch(/changed while it was read/);
    expect(objectReadFailure(sdkError('SlowDown', 503), 's3://b/k', 11)).toBe('S3 read of s3://b/k failed after 11 attempts: SlowDown (HTTP 503)');
  });
});
