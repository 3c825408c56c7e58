import { InputError } from '../../errors.js';
import { connectS3, type ListedObject, type S3Settings, type S3Store } from './client.js';
import { listingFailure } from './errors.js';
import { isInputName, nameTraits, notAnInput, type InputKind } from '../input-name.js';
import { keyFilter, objectUrl, parseS3Url, type S3Location } from './location.js';
import { S3Objects, type S3Stats } from './objects.js';
import type { InputFile, InputFormat } from '../types.js';

/** How to reach S3 and how to read from it. */
export interface S3Options extends S3Settings {
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Told of each read retried (a warning line). */
  readonly onRetry?: (message: string) => void;
}

/** The s3:// inputs of one run: listed by discover.ts, then read through `attach`ed InputFiles. */
export interface S3Inputs {
  /** The objects one s3:// argument names, in lexical key order. */
  expand(input: string, warnings: string[]): Promise<InputFile[]>;
  /** The final input list with every S3 object readable (its `remote`), in that order. */
  attach(files: readonly InputFile[]): InputFile[];
  readonly stats: S3Stats;
  close(): void;
}

/** Connects to S3 (loading the SDK) for the s3:// inputs of a run. */
export async function s3Inputs(options: S3Options, format: InputFormat | undefined, kind: InputKind): Promise<S3Inputs> {
  const store = await connectS3(options);
  const objects = new S3Objects(store, {
    maxRetries: options.maxRetries,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
  });
  const listed = new Map<string, { bucket: string; object: ListedObject }>();
  return {
    async expand(input, warnings) {
      const location = parseS3Url(input);
      const chosen = choose(location, await listAll(store, location, options.endpoint), kind, warnings);
      return chosen.map((object) => {
        const url = objectUrl(location.bucket, object.key);
        listed.set(url, { bucket: location.bucket, object });
        const traits = nameTraits(object.key);
        return { path: url, display: url, format: format ?? traits.format, gzip: traits.gzip, size: object.size, mtimeMs: object.lastModifiedMs };
      });
    },
    attach: (files) =>
      files.map((file) => {
        const found = listed.get(file.path);
        return found ? { ...file, remote: objects.add(file.path, found.bucket, found.object) } : file;
      }),
    stats: objects.stats,
    close: () => objects.close(),
  };
}

/** Every object under the location's prefix, page after page (ListObjectsV2 continuation tokens). */
async function listAll(store: S3Store, location: S3Location, endpoint: string | undefined): Promise<ListedObject[]> {
  const all: ListedObject[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await store.list(location.bucket, location.prefix, token);
      all.push(...page.objects);
      token = page.next;
    } while (token !== undefined);
  } catch (error) {
    // Our own sentence only, and no `cause`: the SDK's error may hold request details.
    throw new InputError(listingFailure(error, location.url, endpoint));
  }
  return all;
}

/** The listed objects the argument names: one key, the inputs under a prefix, or a glob's matches. */
function choose(location: S3Location, all: readonly ListedObject[], kind: InputKind, warnings: string[]): ListedObject[] {
  if (location.kind === 'glob') {
    const matches = keyFilter(location);
    const found = all.filter((o) => !o.key.endsWith('/') && matches(o.key));
    if (found.length === 0) throw new InputError(`No S3 objects match ${location.url}`);
    return found;
  }
  if (location.kind === 'key') {
    const exact = all.find((o) => o.key === location.prefix);
    if (exact) return [exact];
    const under = all.filter((o) => o.key.startsWith(`${location.prefix}/`));
    if (under.length === 0) throw new InputError(`No S3 object ${location.url}, nor objects under ${location.url}/`);
    return inputsUnder(under, location, kind, warnings);
  }
  return inputsUnder(all, location, kind, warnings);
}

/** Inside a prefix, as inside a directory: names that are not inputs are skipped with a warning. */
function inputsUnder(objects: readonly ListedObject[], location: S3Location, kind: InputKind, warnings: string[]): ListedObject[] {
  const found: ListedObject[] = [];
  const skipped: string[] = [];
  for (const object of objects) {
    // A key ending in "/" is a console-made "folder", not an object with content.
    if (object.key.endsWith('/')) continue;
    if (isInputName(object.key, kind)) found.push(object);
    else skipped.push(`Skipping ${objectUrl(location.bucket, object.key)}: ${notAnInput(kind)}`);
  }
  warnings.push(...skipped);
  if (found.length === 0) {
    const why = objects.length === 0 ? `No S3 objects under ${location.url}` : `No input objects under ${location.url}`;
    throw new InputError([why, ...skipped].join('\n  '));
  }
  return found;
}
