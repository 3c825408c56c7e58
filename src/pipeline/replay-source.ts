import type { ReplayConfig } from '../config/options.js';
import { FullDiff } from '../dryrun/full-diff.js';
import { PAGE, PageMemory } from '../dryrun/page-memory.js';
import type { InputFile } from '../input/types.js';
import type { AttributeMemory } from '../state/attribute-memory.js';
import type { RunState } from '../state/run-state.js';
import type { Stitching } from '../transform/stitch.js';
import type { Log } from '../ui/log.js';
import { ChangedAttributes } from './decisions/changed-attributes.js';
import { Deduplicator } from './decisions/deduplicator.js';
import { bracketed, together, type DecisionListener } from './decisions/listener.js';
import { openWindow } from './decisions/open-window.js';
import { PlanPool } from './planning/plan-pool.js';
import { SampleNeed } from './planning/sample-need.js';
import type { Planned } from './planning/plan-record.js';
import type { Source } from './run.js';

/** What the replay pass's source is made of. */
export interface ReplaySourceParts {
  readonly config: ReplayConfig;
  readonly files: readonly InputFile[];
  readonly stdin: NodeJS.ReadableStream;
  /** --attributes changed: the memory of values sent (undefined with `all`). */
  readonly memory: AttributeMemory | undefined;
  /** --stitch: the sealed index's lookups for the planning workers. */
  readonly identity?: (state: RunState) => { dir: string; here: Stitching };
  /** Where --diff full prints (stdout, or stderr with --json). */
  readonly diffOut: (text: string) => void;
  readonly log: Log;
}

/**
 * The replay pass's source: the planning workers read and map; on the run thread the de-duplicator
 * and --attributes changed decide, and the dry run's page and diff and the UTF-8 warning listen. Once
 * opened, `page` (a dry run's) and `changed` are there for the report's insights and Braze's refusals.
 */
export class ReplaySource {
  page: PageMemory | undefined;
  changed: ChangedAttributes;

  constructor(private readonly parts: ReplaySourceParts) {
    this.changed = new ChangedAttributes(parts.memory);
  }

  /** Opens the source for a run's state (a function of its own, handed to the pipeline as it is). */
  readonly open = (state: RunState): Source<Planned> => {
    const { config, files, stdin, memory, diffOut, log } = this.parts;
    const diffMode = config.dryRun ? config.diff : 'none';
    // A dry run's page, diff and top lists: a run memory, so that a resumed dry run covers the whole run.
    if (config.dryRun) this.page = state.memory.open(PAGE, (stored: number | undefined) => new PageMemory(state.dir, stored, diffMode !== 'none'));
    const diff = this.page?.diff;
    // Who hears what the run thread decides of each record (decisions/listener.ts); a live run: the warning only.
    const listener = together(this.page?.decisions, diffMode === 'full' ? new FullDiff(diffOut) : undefined, utf8Warning(log));
    const changed = (this.changed = new ChangedAttributes(memory, listener));
    const dedup = new Deduplicator(openWindow(config.dedupWindow, state), listener);
    // The planners write sample texts until the page has kept all it shows (a resumed run's may have them already).
    const samples = new SampleNeed();
    this.page?.samples.whenFull(() => samples.stop());
    const pool = new PlanPool({
      mapping: config.mapping,
      diff: diffMode,
      format: config.format,
      stdin,
      workers: config.workers,
      onDefs: (defs) => diff?.define(defs),
      identity: this.parts.identity?.(state),
      samples,
      // An attributes object's pieces are read by --attributes changed and by a dry run's totals by attribute.
      attributePieces: memory !== undefined || config.dryRun,
    });
    return {
      files,
      read: (file, index, start) => pool.read(file, start, index, files),
      plan: bracketed((p: Planned) => changed.check(dedup.check(p)), listener),
      most: (p: Planned) => p.items.length,
      close: () => pool.close(),
    };
  };
}

/** The run's log warns once, at the first record whose text held invalid UTF-8 (the report counts them all). */
function utf8Warning(log: Log): DecisionListener {
  let warned = false;
  return {
    invalidUtf8(file, line) {
      if (warned) return;
      warned = true;
      log.warn(`${file}:${line} holds invalid UTF-8 (a truncated or stray byte): such records go on with U+FFFD in place of the bad bytes, and are counted in records.invalidUtf8.`);
    },
  };
}
