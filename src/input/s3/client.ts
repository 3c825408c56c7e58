import type { S3Client } from '@aws-sdk/client-s3';

/** How to reach S3 (cli.md "Inputs", the S3 item). */
export interface S3Settings {
  /** --s3-endpoint: an S3-compatible store (MinIO, R2, a local server), addressed path-style. @default AWS */
  readonly endpoint?: string;
  /** A connection silent this long is cut and the read retried. @default 30000 (--timeout) */
  readonly timeoutMs: number;
  /** Retries of one object's read (5xx, SlowDown, cut connection, timeout). @default 10 (--max-retries) */
  readonly maxRetries: number;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModifiedMs: number;
}

/** One page of ListObjectsV2, and the token of the next (undefined on the last). */
export interface ListPage {
  readonly objects: ListedObject[];
  readonly next: string | undefined;
}

/** An answered GetObject: its body from byte `start` on, and the retries the SDK made to get it. */
export interface ObjectBody {
  readonly start: number;
  readonly bytes: AsyncIterable<Uint8Array>;
  readonly retries: number;
}

/** The two calls the tool makes, over one SDK client. */
export interface S3Store {
  list(bucket: string, prefix: string, token: string | undefined): Promise<ListPage>;
  /** Bytes [from, to] (inclusive; to the end when `to` is undefined) of the object as it was listed (If-Match). */
  get(bucket: string, key: string, etag: string, from: number, to: number | undefined, signal: AbortSignal): Promise<ObjectBody>;
  close(): void;
}

/**
 * Loads the AWS SDK (only runs with an s3:// input pay for it) and makes the client: the SDK's default
 * credential chain, the configured region or us-east-1, the bucket's own region followed on redirect,
 * path-style addressing with --s3-endpoint. The SDK keeps its own retries for listing; reads count theirs.
 */
export async function connectS3(settings: S3Settings): Promise<S3Store> {
  // Releases of the SDK after mid-2026 warn on every run on Node 20 (supported until 2027); the warning
  // is the SDK's, about its own future, and not the user's business. The pinned release does not print
  // it; the SDK's own switch keeps it off for the newer nested packages too.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    region: await configuredRegion(sdk.S3Client),
    followRegionRedirects: true,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: Math.min(settings.timeoutMs, 10_000), socketTimeout: settings.timeoutMs },
  });
  return {
    async list(bucket, prefix, token) {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      const objects = (page.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, etag: o.ETag ?? '', lastModifiedMs: o.LastModified?.getTime() ?? 0 }));
      return { objects, next: page.IsTruncated ? page.NextContinuationToken : undefined };
    },
    async get(bucket, key, etag, from, to, signal) {
      const range = from === 0 && to === undefined ? undefined : `bytes=${from}-${to ?? ''}`;
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: range, IfMatch: etag || undefined }), { abortSignal: signal });
      const body = out.Body as AsyncIterable<Uint8Array> | undefined;
      return { start: rangeStart(out.ContentRange), bytes: body ?? empty(), retries: Math.max(0, (out.$metadata.attempts ?? 1) - 1) };
    },
    close: () => client.destroy(),
  };
}

/** The region from the SDK's own chain (AWS_REGION, the profile), or us-east-1, whence S3 redirects. */
async function configuredRegion(Client: typeof S3Client): Promise<string> {
  const probe = new Client({});
  try {
    return await probe.config.region();
  } catch {
    return 'us-east-1';
  } finally {
    probe.destroy();
  }
}

/** The first byte of a Content-Range ("bytes 100-199/200"); 0 for a whole-object answer. */
function rangeStart(contentRange: string | undefined): number {
  const match = /^bytes (\d+)-/.exec(contentRange ?? '');
  return match ? Number(match[1]) : 0;
}

async function* empty(): AsyncGenerator<Uint8Array> {}
