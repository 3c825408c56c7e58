import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The parts of a command that define "the same run". */
export interface RunIdentity {
  readonly command: 'replay' | 'delete';
  readonly dryRun: boolean;
  readonly inputs: readonly string[];
  readonly endpoint: string | undefined;
  /** Everything that changes what is sent (mapping, batch size, format, id type, ...). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** --mapping: the sha256 of the file (also inside `settings`), so that a refusal can say the file changed. */
  readonly mappingSha256?: string | undefined;
}

/** Hash of the settings that shape the plan: resuming with different ones is refused. */
export function settingsHash(identity: RunIdentity): string {
  return sha(stable({ command: identity.command, dryRun: identity.dryRun, settings: identity.settings })).slice(0, 16);
}

/**
 * The default state directory, `.segment-braze/<command>[-dry]-<key>`: the same command, inputs,
 * endpoint and settings give the same directory, so running it again resumes it.
 */
export function defaultStateDir(cwd: string, identity: RunIdentity): string {
  const key = sha(stable(identity)).slice(0, 12);
  return join(cwd, '.segment-braze', `${identity.command}${identity.dryRun ? '-dry' : ''}-${key}`);
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, so that key order never changes a hash. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
