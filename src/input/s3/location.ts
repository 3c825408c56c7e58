import picomatch from 'picomatch';
import { UsageError } from '../../errors.js';

/**
 * One `s3://` input argument (cli.md "Inputs", the S3 item), parsed:
 * - `prefix`: `s3://bucket/prefix/` (or `s3://bucket`), every object under it, like a directory;
 * - `key`: `s3://bucket/key`, one object, or the objects under `key/` when there is no such object;
 * - `glob`: `s3://bucket/prefix/*.gz`, the objects under the glob's fixed prefix that it matches.
 */
export interface S3Location {
  readonly url: string;
  readonly bucket: string;
  readonly kind: 'prefix' | 'key' | 'glob';
  /** The key prefix listed: the key itself for `key`, the part before the first glob character for `glob`. */
  readonly prefix: string;
  /** The whole key pattern, for `glob`. */
  readonly pattern?: string;
}

const GLOB_CHARS = /[*?[{]/;

/** True for an `s3://` argument (any case of the scheme). */
export function isS3Url(input: string): boolean {
  return /^s3:\/\//i.test(input);
}

export function parseS3Url(url: string): S3Location {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.\-_]{0,254}$/i.test(bucket)) throw new UsageError(`Not an S3 URL: ${url} (expected s3://bucket/prefix/, s3://bucket/key or s3://bucket/prefix/*.gz)`);
  const shown = `s3://${bucket}/${key}`;
  const glob = key.search(GLOB_CHARS);
  if (glob >= 0) {
    const fixed = key.slice(0, glob);
    return { url: shown, bucket, kind: 'glob', prefix: fixed.slice(0, fixed.lastIndexOf('/') + 1), pattern: key };
  }
  if (key === '' || key.endsWith('/')) return { url: shown, bucket, kind: 'prefix', prefix: key };
  return { url: shown, bucket, kind: 'key', prefix: key };
}

/** The test a listed key must pass to belong to `location` (a glob's `*` stops at `/`, `**` does not). */
export function keyFilter(location: S3Location): (key: string) => boolean {
  if (location.kind !== 'glob' || location.pattern === undefined) return () => true;
  const match = picomatch(location.pattern);
  return (key) => match(key);
}

/** The s3:// URL of one object. */
export function objectUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
