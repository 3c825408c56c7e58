import * as v from 'valibot';

/**
 * The mapping file's shape (mapping.md §10), checked with valibot: strict objects (an unknown key is an
 * error, see KNOWN_KEYS), types, non-empty strings. What a rule means (identifier names, rename targets,
 * overlapping values) is checked when it is compiled (compile.ts). See docs/mapping.md for the choice.
 */

const text = v.pipe(v.string(), v.check((s) => s.trim() !== '', 'must be a non-empty string'));
const primitive = v.union([v.string(), v.number(), v.boolean(), v.null()], 'must be a string, number, boolean or null');
const names = v.record(v.string(), text);
const globs = v.array(v.pipe(v.string(), v.nonEmpty('is an empty glob')));

const subscriptionGroup = v.strictObject({
  from: text,
  groupId: text,
  subscribed: v.optional(v.array(primitive)),
  unsubscribed: v.optional(v.array(primitive)),
});

export const MAPPING_SCHEMA = v.strictObject({
  version: v.literal(1, 'must be 1'),
  identifiers: v.optional(v.pipe(v.array(text), v.minLength(1, 'must name at least one identifier'))),
  attributes: v.optional(
    v.strictObject({
      rename: v.optional(names),
      drop: v.optional(globs),
      subscriptionGroups: v.optional(v.array(subscriptionGroup)),
    }),
  ),
  pushTokens: v.optional(
    v.strictObject({
      appId: text,
      token: v.optional(text),
      deviceId: v.optional(text),
    }),
  ),
  events: v.optional(
    v.strictObject({
      rename: v.optional(names),
      dropProperties: v.optional(globs),
      addProperties: v.optional(v.record(v.string(), v.unknown())),
    }),
  ),
});

export type MappingDocument = v.InferOutput<typeof MAPPING_SCHEMA>;

/** The keys each object of the file may have, by place (`[]` for any array index): for "did you mean". */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': ['version', 'identifiers', 'attributes', 'pushTokens', 'events'],
  attributes: ['rename', 'drop', 'subscriptionGroups'],
  'attributes.subscriptionGroups[]': ['from', 'groupId', 'subscribed', 'unsubscribed'],
  pushTokens: ['appId', 'token', 'deviceId'],
  events: ['rename', 'dropProperties', 'addProperties'],
};

/** One problem found by the schema: the place (`attributes.subscriptionGroups[0].groupId`) and what is wrong. */
export interface SchemaProblem {
  readonly place: string;
  /** The place with array indexes as `[]`, to look up KNOWN_KEYS. */
  readonly parent: string;
  readonly unknownKey: string | undefined;
  readonly message: string;
}

/** Validates the parsed document: the document, or its problems in document order. */
export function checkDocument(value: unknown): { ok: true; doc: MappingDocument } | { ok: false; problems: SchemaProblem[] } {
  const result = v.safeParse(MAPPING_SCHEMA, value, { abortEarly: false });
  if (result.success) return { ok: true, doc: result.output };
  return { ok: false, problems: result.issues.map(problemOf) };
}

function problemOf(issue: v.BaseIssue<unknown>): SchemaProblem {
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const place = placeOf(keys);
  const unknownKey = issue.expected === 'never' && typeof keys.at(-1) === 'string' ? (keys.at(-1) as string) : undefined;
  const parentKeys = unknownKey === undefined ? keys : keys.slice(0, -1);
  const parent = placeOf(parentKeys.map((k) => (typeof k === 'number' ? -1 : k))).replaceAll('[-1]', '[]');
  const message = unknownKey !== undefined ? 'unknown key' : problemText(issue);
  return { place, parent, unknownKey, message };
}

/** valibot's messages name the expected and received types; a custom message (ours) is kept as is. */
function problemText(issue: v.BaseIssue<unknown>): string {
  if (issue.received === 'undefined') return 'is required';
  if (issue.kind === 'schema' && issue.type !== 'union' && issue.type !== 'literal') return `must be ${article(issue.expected ?? 'something else')} (got ${issue.received})`;
  return issue.message;
}

function article(expected: string): string {
  if (expected === 'Object') return 'an object';
  if (expected === 'Array') return 'an array';
  return expected === 'string' ? 'a string' : expected;
}

/** `attributes.subscriptionGroups[0].groupId` from path keys; '(top level)' for the document itself. */
export function placeOf(keys: readonly (string | number)[]): string {
  let place = '';
  for (const key of keys) place += typeof key === 'number' ? `[${key}]` : place === '' ? key : `.${key}`;
  return place;
}
