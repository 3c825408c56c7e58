/**
 * Whether the planners still make the source texts of the dry run's page samples (dryrun/samples.ts
 * keeps the first few records of the run, as read). A planner cannot tell which records will be kept,
 * so it writes the text of the first lines of every file; the page keeps seven. On 20,000 small files
 * that was 40,000 texts formatted, posted back and dropped. The run thread stops them once the page
 * has all its samples; the flag is shared with the planning workers (a SharedArrayBuffer), so a worker
 * sees it at its next record. Texts made before it does are dropped as before: the page is the same.
 */
export class SampleNeed {
  /** `flag`: one Int32 in shared memory, 0 while samples are wanted (a new one unless it is the run thread's, handed to a worker). */
  constructor(readonly flag: Int32Array = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))) {}

  get wanted(): boolean {
    return Atomics.load(this.flag, 0) === 0;
  }

  /** The page has every sample it keeps: no planner makes another. */
  stop(): void {
    Atomics.store(this.flag, 0, 1);
  }
}
