// A local S3-compatible server (s3rver, a devDependency) holding the bench archive, for the bench's
// "dry run from S3" phase. s3rver runs as a child process with --openssl-legacy-provider (its listing
// tokens use DES, which Node's OpenSSL 3 refuses otherwise).

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

const KEY = 'S3RVER';

/** Starts s3rver on a free loopback port and uploads every file under `dir` to bucket `bench`. */
export async function startS3Bench(root, dir) {
  const data = mkdtempSync(join(tmpdir(), 'segment-braze-bench-s3-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', join(root, 'node_modules/s3rver/bin/s3rver.js'), '-d', data, '-a', '127.0.0.1', '-p', '0', '--silent'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const { S3Client, CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: KEY, secretAccessKey: KEY }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
  for (const file of filesUnder(dir)) {
    const key = relative(dir, file).split(sep).join('/');
    await client.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: readFileSync(file) }));
  }
  client.destroy();
  return {
    endpoint,
    url: 's3://bench/',
    env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: KEY, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(data, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function filesUnder(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full));
    else if (!name.startsWith('.')) found.push(full);
  }
  return found;
}
