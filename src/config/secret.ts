import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

const hidden = '[redacted]';

/** The API key, wrapped so that printing, logging or JSON-serialising it never reveals it. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The key itself: only for the Authorization header. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return hidden;
  }
  toJSON(): string {
    return hidden;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return hidden;
  }
  /** Removes every occurrence of the key from a text (for error messages that echo server output). */
  scrub(text: string): string {
    return this.#value.length >= 4 ? text.split(this.#value).join(hidden) : text;
  }
}

/** Reads the key from --api-key-file or the BRAZE_API_KEY value handed in. */
export function loadSecret(file: string | undefined, envValue: string | undefined): Secret | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read --api-key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const key = text.trim();
    if (key === '') throw new UsageError(`--api-key-file ${file} is empty`);
    return new Secret(key);
  }
  const key = envValue?.trim();
  return key ? new Secret(key) : undefined;
}
