import { describe, expect, it } from 'vitest';
import { isS3Url, keyFilter, parseS3Url } from '../../../src/input/s3/location.js';

describe('parseS3Url', () => {
  it('reads a trailing slash, or a bare bucket, as a prefix (like a directory)', () => {
    expect(parseS3Url('s3://logs/segment-logs/')).toEqual({ url: 's3://logs/segment-logs/', bucket: 'logs', kind: 'prefix', prefix: 'segment-logs/' });
    expect(parseS3Url('s3://logs')).toMatchObject({ bucket: 'logs', kind: 'prefix', prefix: '' });
  });

  it('reads a name without a slash at the end as a key', () => {
    expect(parseS3Url('s3://logs/a/b.gz')).toMatchObject({ kind: 'key', prefix: 'a/b.gz' });
  });

  it('lists a glob from the directory before its first glob character', () => {
    expect(parseS3Url('s3://logs/segment-logs/src/17*/*.gz')).toMatchObject({ kind: 'glob', prefix: 'segment-logs/src/', pattern: 'segment-logs/src/17*/*.gz' });
    expect(parseS3Url('s3://logs/*.gz')).toMatchObject({ kind: 'glob', prefix: '' });
  });

  it('refuses a URL without a bucket', () => {
    expect(() => parseS3Url('s3:///key')).toThrow(/Not an S3 URL/);
    expect(() => parseS3Url('s3://')).toThrow(/Not an S3 URL/);
  });

  it('knows s3:// in any case, and nothing else', () => {
    expect(isS3Url('S3://b/k')).toBe(true);
    expect(isS3Url('./s3://b')).toBe(false);
    expect(isS3Url('s3:/b/k')).toBe(false);
  });
});

describe('keyFilter', () => {
  it('matches * within one level and ** across levels', () => {
    const one = keyFilter(parseS3Url('s3://b/logs/*/x.gz'));
    expect(one('logs/1/x.gz')).toBe(true);
    expect(one('logs/1/2/x.gz')).toBe(false);
    const any = keyFilter(parseS3Url('s3://b/logs/**/*.gz'));
    expect(any('logs/1/2/x.gz')).toBe(true);
    expect(any('logs/1/2/x.csv')).toBe(false);
  });

  it('keeps every key of a prefix', () => {
    expect(keyFilter(parseS3Url('s3://b/logs/'))('logs/anything')).toBe(true);
  });
});
