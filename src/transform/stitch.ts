import type { AnonymousWhy, Link, SegmentMessage, TimeField } from './types.js';
import { eventTime } from './time.js';

/**
 * Identity stitching (`replay --stitch`, cli.md "Identity stitching"): what the archive says of an
 * anonymous-only message's user, worked out from plain lookups into the identity index (the mapping
 * never sees the store). Pure.
 */

export type { AnonymousWhy, Link };

/** What the index knows of an anonymousId: one user, two or more ("ambiguous"), or nothing. */
export type LinkAnswer = Link | 'ambiguous' | undefined;

/**
 * What the archive holds of a user's identified traits (identify calls carrying the userId): the
 * archive position of the first one, and the latest event time among them (ms; NO_TIME if none had one).
 */
export interface IdentifiedTraits {
  readonly first: number;
  readonly latest: number;
}

/** The earliest time a Date holds: an identify with no usable time counts as older than any. */
export const NO_TIME = -8.64e15;

/** The lookups the mapping is handed (style.md: plain functions, never a store handle). */
export interface Stitching {
  userIdFor(anonymousId: string): LinkAnswer;
  identifiedTraits(userId: string): IdentifiedTraits | undefined;
}

export const ANONYMOUS_WHYS: readonly AnonymousWhy[] = ['unlinked', 'ambiguous', 'noAnonymousId', 'olderTraits'];

export type Stitched =
  | { readonly kind: 'stitched'; readonly link: Link }
  | { readonly kind: 'anonymous'; readonly why: AnonymousWhy; readonly detail: string };

/** An archive position: input file number and line, as one number that orders like the archive. */
export function archivePosition(fileIndex: number, line: number): number {
  return fileIndex * 2 ** 32 + line;
}

/** The anonymousId of a message, when it has a usable one (a non-blank string, or a number). */
export function anonymousIdOf(msg: SegmentMessage): string | undefined {
  return idText(msg['anonymousId']);
}

/**
 * Decides an anonymous-only message (no userId): stitched to its one linked user, or why not.
 * An identify's traits are stitched only when they cannot overwrite a newer identified value: when
 * the user has no identified identify in the archive, when this message comes before the first of
 * them in archive order (each of those is sent after it, so it wins as it would in time order), or
 * when its own time is not before the latest of them. Otherwise ('olderTraits') it is left out:
 * Braze keeps no time per attribute, so sending it would replace a newer value with an older one.
 */
export function stitchAnonymous(msg: SegmentMessage, stitching: Stitching | undefined, position: number, time: TimeField): Stitched {
  const anonymousId = anonymousIdOf(msg);
  if (anonymousId === undefined) return anonymous('noAnonymousId', 'no userId or anonymousId');
  if (stitching === undefined) return anonymous('unlinked', 'no userId');
  const answer = stitching.userIdFor(anonymousId);
  if (answer === undefined) return anonymous('unlinked', 'no userId, and the archive never links its anonymousId to one');
  if (answer === 'ambiguous') return anonymous('ambiguous', 'no userId, and the archive links its anonymousId to two or more userIds');
  if (msg.type === 'identify' && !traitsMayWin(msg, stitching.identifiedTraits(answer.userId), position, time)) {
    return anonymous('olderTraits', 'anonymous identify older than traits the archive identifies its user with');
  }
  return { kind: 'stitched', link: answer };
}

function traitsMayWin(msg: SegmentMessage, identified: IdentifiedTraits | undefined, position: number, field: TimeField): boolean {
  if (identified === undefined || position < identified.first) return true;
  const time = eventTime(msg, field);
  return time.ok && time.ms >= identified.latest;
}

/** A mapping file's identifiers as an index key (identity-key.ts); without one, the userId. */
export type MessageIdentifier = (msg: SegmentMessage) => string | undefined;

/** What one message gives the identity index: a link, and/or an identified identify's time. */
export interface IndexEntry {
  readonly link?: readonly [anonymousId: string, userId: string];
  readonly identified?: readonly [userId: string, ms: number];
}

/**
 * The index pass's reading of a message: a message carrying a userId (or the identifier a mapping
 * file's `identify` gives) and an anonymousId links them;
 * an alias links its previousId to its userId; an identify carrying a userId records its time.
 */
export function indexEntryOf(msg: SegmentMessage, field: TimeField, identify?: MessageIdentifier): IndexEntry | undefined {
  const userId = identify === undefined ? idText(msg['userId']) : identify(msg);
  if (userId === undefined) return undefined;
  const anonymousId = msg.type === 'alias' ? idText(msg['previousId']) : anonymousIdOf(msg);
  const link = anonymousId === undefined || anonymousId === userId ? undefined : ([anonymousId, userId] as const);
  if (msg.type !== 'identify') return link && { link };
  const time = eventTime(msg, field);
  return { ...(link && { link }), identified: [userId, time.ok ? time.ms : NO_TIME] };
}

/** mapping.md §1: a string (not blank) or a finite number (as its string); anything else is no ID. */
function idText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim() === '' ? undefined : raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

function anonymous(why: AnonymousWhy, detail: string): Stitched {
  return { kind: 'anonymous', why, detail };
}
