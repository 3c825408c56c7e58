import type { InputFile, ReadStart } from '../../input/types.js';
import type { InputReading } from './input-reading.js';

/** Inputs after the one being read that may be opened and started on ahead of it. */
const FILES_AHEAD = 24;

/** The inputs that may be started ahead of the `index`th (what a pass hands its reader with each input). */
export function filesAfter(files: readonly InputFile[], index: number): readonly InputFile[] {
  return files.slice(index + 1, index + 1 + FILES_AHEAD);
}

/** Starts reading an input (the `index`th of the run) from `start`. */
export type StartReading = (file: InputFile, index: number, start: ReadStart | undefined) => InputReading;

/**
 * Which inputs are read ahead of their turn, in input order. While the input being read waits for
 * its last answers, the next ones are opened and their first batches (or the whole file) dispatched:
 * a run of 20,000 small files otherwise waited for the workers at the end of each. An input is
 * started only once the one before it was read to its end, stdin never, and no more than leaves the
 * workers' window full; a pass that asks for another input than the next (or from another start)
 * closes those started.
 */
export class FileScheduler {
  /** The inputs started ahead, in input order (the first is the next to be read). */
  #ahead: Promise<InputReading[]> = Promise.resolve([]);

  constructor(private readonly start: StartReading) {}

  /** The reading of `file`, the `index`th input, from `start`: the one started ahead when it is that input from its start, else a new one. */
  async take(file: InputFile, index: number, start: ReadStart | undefined): Promise<InputReading> {
    const list = await this.#ahead.catch(() => []);
    const first = list[0];
    if (first && first.file === file && (start === undefined || start.line === 0)) {
      this.#ahead = Promise.resolve(list.slice(1));
      return first;
    }
    this.#drop(list);
    return this.start(file, index, start);
  }

  /**
   * Starts on the inputs after the `index`th (`following`, from filesAfter) beyond those already
   * started, while fewer than `room` answers are pending among them and each before was read to its end.
   */
  readAhead(index: number, following: readonly InputFile[], room: number): void {
    this.#ahead = this.#extend(this.#ahead, index, following, room);
  }

  /** Closes the inputs started ahead (the run stops reading). */
  async close(): Promise<void> {
    this.#drop(await this.#ahead.catch(() => []));
  }

  async #extend(started: Promise<InputReading[]>, index: number, following: readonly InputFile[], room: number): Promise<InputReading[]> {
    const list = await started;
    let left = room - list.reduce((n, reading) => n + reading.pending, 0);
    for (let i = list.length; i < following.length && left > 0; i++) {
      if (list.length > 0 && !list[list.length - 1]!.readToEnd) break;
      const file = following[i]!;
      if (file.path === '-') break;
      const reading = this.start(file, index + 1 + i, undefined);
      // An input that cannot be read ahead is read in its turn, which reports what went wrong.
      if (!(await reading.readAhead(left).then(() => true, () => false))) {
        reading.close();
        break;
      }
      list.push(reading);
      left -= reading.pending;
    }
    return list;
  }

  #drop(list: readonly InputReading[]): void {
    this.#ahead = Promise.resolve([]);
    for (const reading of list) reading.close();
  }
}
