import { existsSync, readFileSync } from 'node:fs';
import { appendText } from './disk-write.js';

/**
 * Appends the requests found in doubt to in-doubt.ndjson, once each: a process that stops before
 * its checkpoint covers them finds them in doubt again.
 */
export function listInDoubt(file: string, requests: readonly number[], handling: 'resend' | 'skip'): void {
  if (requests.length === 0) return;
  const listed = new Set<number>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() !== '') listed.add((JSON.parse(line) as { request: number }).request);
    }
  }
  const fresh = [...new Set(requests)].filter((n) => !listed.has(n));
  if (fresh.length > 0) appendText(file, fresh.map((n) => JSON.stringify({ request: n, handling }) + '\n').join(''));
}
