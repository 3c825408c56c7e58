import { mkdirSync, statSync } from 'node:fs';

/**
 * Who may read the state directory. It holds personal data (requests.ndjson and rejected.ndjson carry
 * users' emails, phones, names and whole event payloads; the diff's samples too), so, as ssh and the
 * cloud CLIs keep their credentials, its directories are 0700 and its files 0600 (cli.md "State,
 * checkpoint and resume"). The modes are given at creation, so they hold whatever the umask is (a
 * umask only takes bits away).
 */

/** Mode of every file the tool writes in a state directory. */
export const PRIVATE_FILE = 0o600;

/** Mode of the state directory and of the directories in it. */
export const PRIVATE_DIR = 0o700;

/**
 * Creates `dir` (and missing parents) 0700. Returns a warning naming it when it already existed and
 * its group or others may read or enter it (made by an earlier version, or by hand).
 */
export function makePrivateDir(dir: string): string | undefined {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (created !== undefined) return undefined;
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `The state directory ${dir} can be read by other accounts on this machine (mode ${mode.toString(8).padStart(4, '0')}); it holds personal data: chmod -R go-rwx '${dir}'`;
}
