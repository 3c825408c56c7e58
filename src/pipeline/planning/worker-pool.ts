import { Worker, type ResourceLimits } from 'node:worker_threads';

/** A message to or from a worker, numbered: a reply carries the number of the job it answers. */
export interface Numbered {
  readonly seq: number;
}

/** A worker's reply for a job it could not do: the error's message. */
export interface JobFailed extends Numbered {
  readonly error: string;
}

/** How to start a pool. */
export interface WorkerPoolOptions<Data> {
  /** The workers' script. */
  readonly script: URL;
  /** Worker threads started (at least one). */
  readonly count: number;
  /** What each worker is handed once (`workerData`), by its number. */
  readonly data: (worker: number) => Data;
  readonly resourceLimits: ResourceLimits;
  /** Names the work in a failure's message ("Planning failed: …"). */
  readonly label: string;
}

/**
 * Worker threads running one script: a job posted goes to the least busy worker, and its answer
 * settles the promise the post returned, whichever order answers come in (callers keep the promises
 * in the order they want the answers). A worker's failure reply rejects its job; a worker that dies
 * rejects every job not answered. Closed once.
 */
export class WorkerPool<Job extends object, Reply extends Numbered> {
  readonly #workers: Worker[] = [];
  /** Jobs each worker has not answered yet. */
  readonly #load: number[] = [];
  readonly #pending = new Map<number, Waiter<Reply>>();
  readonly #label: string;
  #seq = 0;
  #closed: Promise<void> | undefined;

  constructor(options: WorkerPoolOptions<unknown>) {
    this.#label = options.label;
    for (let w = 0; w < Math.max(1, options.count); w++) {
      const worker = new Worker(options.script, { workerData: options.data(w), resourceLimits: options.resourceLimits });
      worker.on('message', (reply: Reply | JobFailed) => this.#settle(reply));
      worker.on('error', (error) => this.#failAll(error));
      // Waiting for answers is what keeps a run alive, not an idle worker.
      worker.unref();
      this.#workers.push(worker);
      this.#load.push(0);
    }
  }

  /** Workers started. */
  get size(): number {
    return this.#workers.length;
  }

  /** Posts `job`, numbered (`seq`), to the least busy worker (`transfer`: buffers moved, not copied); its answer, whenever it comes. */
  post(job: Job, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const seq = this.#seq++;
    const w = this.#leastLoaded(seq);
    this.#load[w]!++;
    const answer = new Promise<Reply>((resolve, reject) => this.#pending.set(seq, { worker: w, resolve, reject }));
    this.#workers[w]!.postMessage({ ...job, seq }, transfer);
    return answer;
  }

  /** Stops the workers; jobs not answered stay unsettled. Once: a second call waits for the first. */
  close(): Promise<void> {
    this.#closed ??= Promise.all(this.#workers.map((w) => w.terminate())).then(() => undefined);
    return this.#closed;
  }

  /**
   * The worker with the fewest jobs unanswered (ties taken in turn): workers do not run at the same
   * speed on a busy machine, and one given jobs in strict rotation idled while the other caught up.
   */
  #leastLoaded(seq: number): number {
    const n = this.#workers.length;
    let best = seq % n;
    for (let k = 1; k < n; k++) {
      const w = (seq + k) % n;
      if (this.#load[w]! < this.#load[best]!) best = w;
    }
    return best;
  }

  #settle(reply: Reply | JobFailed): void {
    const waiter = this.#pending.get(reply.seq);
    if (!waiter) return;
    this.#pending.delete(reply.seq);
    this.#load[waiter.worker]!--;
    if ('error' in reply) waiter.reject(new Error(`${this.#label} failed: ${reply.error}`));
    else waiter.resolve(reply);
  }

  #failAll(error: Error): void {
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }
}

interface Waiter<Reply> {
  readonly worker: number;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}
