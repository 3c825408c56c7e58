import { join } from 'node:path';
import type { DedupWindowSetting } from '../../config/dedup-window.js';
import type { DuplicateFilter } from './deduplicator.js';
import type { RunState } from '../../state/run-state.js';
import { WINDOW, WindowJournal, type WindowMark } from '../../state/dedup/window-journal.js';

/**
 * Opens replay's duplicate filter as the --dedup-window says: a window of message time (or the whole
 * run) journalled under `dedup/` in the state directory, or none with `off`.
 */
export function openWindow(setting: DedupWindowSetting, state: RunState): DuplicateFilter | undefined {
  if (setting.kind === 'off') return undefined;
  const seconds = setting.kind === 'all' ? Infinity : setting.seconds;
  const journal = state.memory.open<WindowMark, WindowJournal>(WINDOW, (mark) => WindowJournal.open(join(state.dir, 'dedup'), seconds, mark));
  return journal.filter;
}
