import type { MappingSettings, SegmentMessage } from '../types.js';
import type { EventName } from './event.js';
import { isRecord } from '../limits.js';

/** The name and category of a page or screen: top-level field first, then `properties`. */
interface PageLabels {
  readonly name: string | undefined;
  readonly category: string | undefined;
}

function label(msg: SegmentMessage, key: string): string | undefined {
  const top = msg[key];
  if (typeof top === 'string' && top.trim() !== '') return top;
  const props = msg['properties'];
  const nested = isRecord(props) ? props[key] : undefined;
  return typeof nested === 'string' && nested.trim() !== '' ? nested : undefined;
}

function labels(msg: SegmentMessage): PageLabels {
  return { name: label(msg, 'name'), category: label(msg, 'category') };
}

/**
 * Why a page/screen is not mapped under --pages (mapping.md §1, §6), or undefined when it is.
 * The actions preset never maps them (§8); the caller checks that first.
 */
export function pageNotMapped(msg: SegmentMessage, settings: MappingSettings): string | undefined {
  if (settings.pages === 'none') return `${msg.type} calls are not mapped with --pages none`;
  if (settings.pages === 'named' && labels(msg).name === undefined) return `unnamed ${msg.type} with --pages named`;
  return undefined;
}

/** `Viewed <category> <name> Page` / `Loaded a Page`; `Viewed <name> Screen` / `Loaded a Screen`. */
export function pageEventName(msg: SegmentMessage): EventName {
  const { name, category } = labels(msg);
  const noun = msg.type === 'screen' ? 'Screen' : 'Page';
  if (name === undefined) return { name: `Loaded a ${noun}`, from: 'type', composed: `${msg.type} without a name` };
  const words = msg.type === 'page' && category !== undefined ? [category, name] : [name];
  return { name: `Viewed ${words.join(' ')} ${noun}`, from: 'name', composed: `${msg.type} event name` };
}

/** The event properties of a page/screen: its properties plus `name` and `category` when present. */
export function pageProperties(msg: SegmentMessage): Record<string, unknown> {
  const props = msg['properties'];
  const { name, category } = labels(msg);
  return {
    ...(isRecord(props) ? props : {}),
    ...(name !== undefined && { name }),
    ...(category !== undefined && { category }),
  };
}
