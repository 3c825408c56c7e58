import type { InputFile, ReadStart } from '../../input/types.js';
import { GROUP_FILES } from '../../input/whole-file.js';
import type { InputReading } from './input-reading.js';

/**
 * Inputs after the one being read that may be opened and started on ahead of it: enough small files
 * to fill the planning window with groups of them (a group of up to GROUP_FILES is one answer,
 * whole-file.ts). The window bounds what they hold, and an input not read to its end stops the rest.
 */
export const FILES_AHEAD = 512;

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

  /** `flush`: sends the group of small files gathered while inputs were started (file-groups.ts). */
  constructor(
    private readonly start: StartReading,
    private readonly flush: () => void,
  ) {}

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
   * Starts on the inputs after the `index`th of `inputs` (the run's) beyond those already started, up
   * to FILES_AHEAD, while fewer than `room` answers are pending among them and each before was read
   * to its end. (The run's list itself, not a slice of FILES_AHEAD of it made for each input.)
   */
  readAhead(index: number, inputs: readonly InputFile[], room: number): void {
    this.#ahead = this.#extend(this.#ahead, index, inputs, room);
  }

  /** Closes the inputs started ahead (the run stops reading). */
  async close(): Promise<void> {
    this.#drop(await this.#ahead.catch(() => []));
  }

  async #extend(started: Promise<InputReading[]>, index: number, inputs: readonly InputFile[], room: number): Promise<InputReading[]> {
    const list = await started;
    let left = room - list.reduce((n, reading) => n + reading.pending, 0);
    const end = Math.min(inputs.length, index + 1 + FILES_AHEAD);
    const first = index + 1 + list.length;
    // Room for a whole answer and a group's files (or the last inputs), or none: small files then start
    // by a group's worth, not one by one as each taken frees its share or its place.
    if (left < 1 || (end - first < GROUP_FILES && end < inputs.length)) return list;
    for (let next = first; next < end && left > 0; next++) {
      if (list.length > 0 && !list[list.length - 1]!.readToEnd) break;
      const file = inputs[next]!;
      if (file.path === '-') break;
      const reading = this.start(file, next, undefined);
      // An input that cannot be read ahead is read in its turn, which reports what went wrong.
      if (!(await reading.readAhead(left).then(() => true, () => false))) {
        reading.close();
        break;
      }
      list.push(reading);
      left -= reading.pending;
    }
    this.flush();
    return list;
  }

  #drop(list: readonly InputReading[]): void {
    this.#ahead = Promise.resolve([]);
    for (const reading of list) reading.close();
  }
}
