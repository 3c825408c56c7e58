import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join, relative, sep } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ROOT, tempDir } from './cli.js';

/** s3rver's fixed credentials: any other key is refused with InvalidAccessKeyId. */
export const S3_KEY = 'S3RVER';

/**
 * The environment that makes the CLI's AWS SDK use s3rver's credentials and nothing of the machine's
 * own AWS set-up (no profile, no shared files, no instance metadata probe).
 */
export function s3Env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: S3_KEY,
    AWS_SECRET_ACCESS_KEY: S3_KEY,
    AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: join(ROOT, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    ...overrides,
  };
}

export interface S3Server {
  readonly endpoint: string;
  readonly client: S3Client;
  createBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  /** Uploads every file under `dir` as `<prefix><path relative to dir>`; returns the keys. */
  putTree(bucket: string, prefix: string, dir: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts s3rver (a real S3-compatible server) on a free loopback port, as a child process: its
 * continuation tokens are DES-encrypted, which Node's OpenSSL 3 refuses without --openssl-legacy-provider.
 */
export async function startS3(): Promise<S3Server> {
  const dir = tempDir('sb-s3rver-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', join(ROOT, 'node_modules/s3rver/bin/s3rver.js'), '-d', dir, '-a', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await listeningPort(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_KEY },
    // s3rver does not know the checksum headers a current SDK adds to uploads by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const put = async (bucket: string, key: string, body: Buffer | string) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };
  return {
    endpoint,
    client,
    createBucket: async (bucket) => {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    put,
    async putTree(bucket, prefix, root) {
      const keys: string[] = [];
      for (const file of filesUnder(root)) {
        const key = prefix + relative(root, file).split(sep).join('/');
        await put(bucket, key, readFileSync(file));
        keys.push(key);
      }
      return keys;
    },
    close: async () => {
      client.destroy();
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    },
  };
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /listening on [\d.]+:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('exit', (code) => reject(new Error(`s3rver exited ${code}: ${out}`)));
  });
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full));
    else if (!name.startsWith('.')) found.push(full);
  }
  return found;
}

const SLOW_DOWN_BODY = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
const SLOW_DOWN = `HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: ${SLOW_DOWN_BODY.length}\r\nConnection: close\r\n\r\n${SLOW_DOWN_BODY}`;

/** A loopback TCP proxy in front of the S3 server that cuts object downloads part-way. */
export interface CuttingProxy {
  readonly endpoint: string;
  /** Faults made so far: connections cut and 503s answered. */
  cuts(): number;
  close(): Promise<void>;
}

/**
 * Forwards to `target`; a connection answering an object GET (not a listing) is destroyed once `after`
 * bytes of its answer have passed, `times` times in all: a connection cut in the middle of an object.
 * The first `slowDowns` object GETs are answered 503 SlowDown by the proxy itself. With `how` 'stall',
 * the connection is not cut but goes silent (the client's timeout must notice).
 */
export async function cuttingProxy(target: string, after: number, times: number, slowDowns = 0, how: 'cut' | 'stall' = 'cut'): Promise<CuttingProxy> {
  const { hostname, port } = new URL(target);
  let cuts = 0;
  let refused = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let objectGet = false;
    let passed = 0;
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, Math.min(chunk.length, 512));
      if (/^(GET|HEAD|PUT|POST|DELETE) /.test(head)) {
        objectGet = head.startsWith('GET ') && !/[?&]list-type=/.test(head.split('\r\n')[0]!);
        passed = 0;
        if (objectGet && refused < slowDowns) {
          refused++;
          client.end(SLOW_DOWN);
          upstream.destroy();
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (objectGet && cuts < times && passed + chunk.length > after) {
        const keep = Math.max(0, after - passed);
        cuts++;
        client.write(chunk.subarray(0, keep), () => {
          if (how === 'stall') {
            upstream.pause();
            objectGet = false;
            passed = Number.NEGATIVE_INFINITY;
            return;
          }
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      passed += chunk.length;
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    cuts: () => cuts + refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
