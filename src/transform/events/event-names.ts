import { UsageError } from '../../errors.js';
import { globSource } from '../glob.js';

/**
 * `--events` / `--skip-events` (cli.md "Data points"): which event names a replay sends.
 *
 * A list is comma-separated names or globs: a name matches itself exactly (case-sensitive), `*` any
 * run of characters (none included), `?` one character; `\` makes the next character literal
 * (`\,`, `\*`, `\?`, `\\`). Spaces around the commas are ignored.
 *
 * The name matched is the name of the Braze event the message would become: a track's `event` as it
 * is, a page or screen's `Viewed … Page` / `Loaded a Screen` (the names the dry run's totals show and
 * Braze bills, so one list serves both); `Order Completed` is matched by that name and its purchases
 * follow it. Identify and group calls are not events: no list leaves them out.
 */
export interface EventSelection {
  /** `--events`: only names matching one of these are sent. Undefined: every name. */
  readonly events: readonly string[] | undefined;
  /** `--skip-events`: names matching one of these are left out. */
  readonly skipEvents: readonly string[] | undefined;
}

/** Splits and checks a flag's list; the patterns are kept as text (settings cross to the workers). */
export function parseEventPatterns(text: string | undefined, flag: string): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const patterns = splitUnescaped(text).map((item) => item.trim());
  for (const pattern of patterns) {
    if (pattern === '') throw new UsageError(`--${flag}: an empty name in "${text}" (names are separated by commas)`);
    if (/(^|[^\\])(\\\\)*\\$/.test(pattern)) throw new UsageError(`--${flag}: "${pattern}" ends with a lone \\ (write \\\\ for a backslash)`);
  }
  return patterns;
}

/** The `filtered` detail when the selection leaves this event name out, else undefined. */
export function eventLeftOut(name: string, selection: EventSelection): string | undefined {
  const { events, skipEvents } = selection;
  if (events !== undefined && !matcher(events)(name)) return `event "${name}" is not in --events`;
  if (skipEvents === undefined) return undefined;
  // Which pattern matched, for the reason; looked for only once the list as a whole matches.
  if (!matcher(skipEvents)(name)) return undefined;
  for (const pattern of skipEvents) if ((compiled.get(pattern) ?? compile(pattern, [pattern]))(name)) return `event "${name}" matches --skip-events "${pattern}"`;
  return undefined;
}

/** Splits at commas not preceded by an escaping backslash. */
function splitUnescaped(text: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i]!;
    } else if (c === ',') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  return items;
}

/** Compiled lists, by their text: settings are plain data, so compiling happens once per worker. */
const compiled = new Map<string, (name: string) => boolean>();
/**
 * The same, by the settings' own list (one array for a worker's whole run): a message's check does
 * not join the list's text again (a lookup by text made it, and a callback, at every event).
 */
const byList = new WeakMap<readonly string[], (name: string) => boolean>();

function matcher(patterns: readonly string[]): (name: string) => boolean {
  let match = byList.get(patterns);
  if (match !== undefined) return match;
  const key = patterns.join('\u0000');
  match = compiled.get(key) ?? compile(key, patterns);
  byList.set(patterns, match);
  return match;
}

/** The list's matcher, compiled and kept under `key` (its patterns joined by U+0000). */
function compile(key: string, patterns: readonly string[]): (name: string) => boolean {
  const regex = new RegExp(`^(?:${patterns.map((pattern) => globSource(pattern, 'star-question')).join('|')})$`, 'su');
  const match = (name: string): boolean => regex.test(name);
  compiled.set(key, match);
  return match;
}
