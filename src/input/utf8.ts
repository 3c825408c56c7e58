import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

/** A strict decoder, used only to confirm: it throws where the default decoding replaces bytes. */
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * True when all of `bytes` is valid UTF-8: one SIMD pass (simdutf) over a whole batch of lines, so
 * that the lines of a valid batch (nearly all) need no check of their own.
 */
export function validUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/**
 * True when `text`, decoded from `bytes[start, stop)` with Node's default (replacing) decoding, had
 * invalid UTF-8 replaced by U+FFFD (a truncated multi-byte character, a stray byte). Cheap on the hot
 * path: only a line that holds U+FFFD is decoded again, strictly, so that a U+FFFD present in the data
 * itself (bytes EF BF BD) is not counted. (indexOf on a one-byte string, any ASCII line, returns at once.)
 */
export function replacedInvalidUtf8(text: string, bytes: Uint8Array, start: number, stop: number): boolean {
  if (text.indexOf('\uFFFD') === -1) return false;
  try {
    strict.decode(bytes.subarray(start, stop));
    return false;
  } catch {
    return true;
  }
}
