import type { InputFile } from '../input/types.js';
import { fingerprint, type Fingerprint } from './fingerprint.js';

/** Fingerprints taken per slice in the background: a few milliseconds of the run thread at a time. */
const SLICE = 256;

/**
 * The fingerprints of the run's inputs (fingerprint.ts), taken in input order as the run goes rather
 * than all before it starts: an archive of 20,000 small files spent ~0.15-0.25 s opening, reading and
 * hashing them before its first record was read. An input's is taken before any of it is read
 * (`through`, as a pass is about to read it or the inputs it may start ahead of it), the others a
 * slice at a time between the run's own work (`inBackground`), and all of them before anything
 * compares or saves them (`all`: a resume's check, the first checkpoint).
 */
export class InputFingerprints {
  readonly #taken: Fingerprint[] = [];
  #next: NodeJS.Immediate | undefined;

  private constructor(
    /** How many inputs the run has. */
    readonly count: number,
    private readonly take: (index: number) => Fingerprint,
  ) {}

  /** The fingerprints of `files`, each taken when first needed. */
  static of(files: readonly InputFile[]): InputFingerprints {
    return new InputFingerprints(files.length, (index) => fingerprint(files[index]!));
  }

  /** Fingerprints already taken (a run that has them, tests). */
  static known(prints: readonly Fingerprint[]): InputFingerprints {
    return new InputFingerprints(prints.length, (index) => prints[index]!);
  }

  /** How many are taken so far (the first ones, in input order). */
  get taken(): number {
    return this.#taken.length;
  }

  /** Takes those of the inputs up to the `index`th (or the last) not taken yet. */
  through(index: number): void {
    const end = Math.min(index + 1, this.count);
    while (this.#taken.length < end) this.#taken.push(this.take(this.#taken.length));
  }

  /** Every input's fingerprint, those not taken yet taken now. */
  all(): readonly Fingerprint[] {
    this.stop();
    this.through(this.count - 1);
    return this.#taken;
  }

  /** Takes the rest a slice at a time, each after the work the run thread has waiting (setImmediate). */
  inBackground(): void {
    const slice = (): void => {
      this.through(this.#taken.length + SLICE - 1);
      this.#next = this.#taken.length < this.count ? setImmediate(slice).unref() : undefined;
    };
    this.#next ??= setImmediate(slice).unref();
  }

  /** Stops taking them in the background (the run ends); `through` and `all` still take what they need. */
  stop(): void {
    if (this.#next) clearImmediate(this.#next);
    this.#next = undefined;
  }
}
