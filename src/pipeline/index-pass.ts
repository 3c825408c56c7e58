import { FatalRunError, InterruptedError } from '../errors.js';
import type { Cursor } from '../state/checkpoint.js';
import type { RunState } from '../state/run-state.js';
import { archivePosition } from '../transform/stitch.js';
import type { LinkChunk } from './planning/link-chunk.js';
import { fingerprintedFirst, walkFiles, type ReadFile } from './file-walk.js';
import { stopOnSignals } from './stop-control.js';
import type { LinkSink, RunDeps, RunPlan } from './run-plan.js';

/**
 * The first pass of `replay --stitch`: reads every input once more through the same read loop and
 * planning workers, which hand back only links, and writes them into the index. Checkpointed like
 * the replay pass (its cursor, with `pass: 'index'`, and the index's mark); a stop saves and throws
 * InterruptedError. A save commits the links read so far as a sorted run, so it comes when the index
 * is full as well as on time. When it ends, the checkpoint hands over to the replay pass from the start.
 */
export async function runIndexPass<T>(plan: RunPlan<T>, deps: RunDeps, state: RunState, from: Cursor, sink: LinkSink): Promise<void> {
  if (from.fileIndex > 0 || from.line > 0) deps.log.info(`Resuming the identity index pass (--stitch) in ${state.dir}.`);
  const reader = plan.indexPass!.reader();
  const stop = stopOnSignals(deps, 0);
  const endPhase = deps.progress.phase('Indexing identities (--stitch)…');
  // The planning workers are unref'd: this keeps the process alive while it waits for their answers.
  const alive = setInterval(() => undefined, 60_000);
  let cursor = from;
  const started = deps.now();
  let lastSave = started;
  const save = (done: boolean) => {
    state.saveIndexPass(cursor, done, new Date(deps.now()));
    lastSave = deps.now();
  };
  try {
    const read: ReadFile<LinkChunk> = fingerprintedFirst((file, index, start) => reader.links(file, start, index, plan.files), state.fingerprints);
    for await (const step of walkFiles(plan.files, from, read, stop.control)) {
      if (step.kind === 'stopped') {
        save(false);
        throw interrupted(state, deps);
      }
      if (step.kind === 'fileEnd') {
        cursor = { fileIndex: step.index + 1, line: 0, offset: 0, skipItems: 0, skipRejected: false };
        continue;
      }
      const file = plan.files[step.index]!;
      take(sink, step.chunk, file.display, step.index);
      if (step.chunk.last) cursor = { ...cursor, fileIndex: step.index, line: step.chunk.last.line, offset: step.chunk.last.end };
      if (sink.full || deps.now() - lastSave >= plan.config.checkpointEveryMs) save(false);
    }
    // The workers go before the merge: their heaps and the merge's buffers were the pass's peak RSS.
    await reader.close();
    // Part of the pass (and of its time): stopped or killed here, the resume finds nothing left to
    // read and goes on with the merge from the last group it finished.
    deps.log.info('Merging the identity index (--stitch)…');
    if (!(await sink.seal(() => stop.control.stopped))) {
      save(false);
      throw interrupted(state, deps);
    }
    save(true);
    deps.log.info(`Identity index (--stitch) built in ${((deps.now() - started) / 1000).toFixed(2)} s.`);
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    save(false);
    const message = error instanceof Error ? error.message : String(error);
    throw new FatalRunError(`${message}\nThe identity index pass stopped; its checkpoint is saved in ${state.dir}. Run the same command again to resume:\n  ${deps.resumeCommand}`, 'fatal', { cause: error });
  } finally {
    clearInterval(alive);
    endPhase();
    stop.remove();
    await reader.close();
  }
}

function interrupted(state: RunState, deps: RunDeps): InterruptedError {
  return new InterruptedError(`Interrupted during the identity index pass; the checkpoint is saved in ${state.dir}. Run the same command again to resume:\n  ${deps.resumeCommand}`);
}

/** Writes a chunk's links (source "file:line") and identified identifies (archive position) into the index. */
function take(sink: LinkSink, chunk: LinkChunk, file: string, index: number): void {
  const { links, linkLines, users, userLines, userTimes } = chunk;
  for (let i = 0; i < linkLines.length; i++) sink.link(links[2 * i]!, links[2 * i + 1]!, `${file}:${linkLines[i]!}`);
  for (let i = 0; i < users.length; i++) sink.identified(users[i]!, archivePosition(index, userLines[i]!), userTimes[i]!);
}
