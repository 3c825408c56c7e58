import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readNdjson, readReport, recordedObjects, sorted, type ReportJson } from '../support/files.js';

const KEY = 'sb-test-key-mapping-24';
const emulate = emulatorFor(KEY);
const TS = '2025-03-02T10:15:00.000Z';
const GROUP = '0b6e1c9a-5d1f-4a57-9d0e-6d3c2f1a7b11';

type Recorded = { array: string; object: Record<string, unknown> };
type MappingReport = ReportJson & { records: { identifiedBy?: Record<string, number> }; mapping?: { file: string; sha256: string } };

/** Writes the archive and the mapping file into a fresh directory. */
function workspace(messages: readonly object[], mapping: object | string): { dir: string; input: string; file: string } {
  const dir = tempDir();
  const input = join(dir, 'archive.ndjson');
  const file = join(dir, 'braze-mapping.json');
  writeFileSync(input, messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
  writeFileSync(file, typeof mapping === 'string' ? mapping : JSON.stringify(mapping, null, 2));
  return { dir, input, file };
}

async function live(input: string, file: string, extra: string[] = []) {
  const { url, record } = await emulate();
  const state = tempDir();
  const result = await runCli(['replay', input, '--mapping', file, '--endpoint', url, '--state', state, '--quiet', '--concurrency', '1', ...extra], { env: { BRAZE_API_KEY: KEY } });
  const recorded = readNdjson<Recorded>(record);
  return { result, recorded, record, report: () => readReport(state) as MappingReport, state };
}

const objectsIn = (recorded: readonly Recorded[], array: string) => recorded.filter((r) => r.array === array).map((r) => r.object);

describe('replay --mapping against the emulator (mapping.md §10)', () => {
  it('identifies each message by the first identifiers entry that yields a value: userId, a dot path, email, phone', async () => {
    const { input, file } = workspace(
      [
        { type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { customer_id: 'C-1', plan: 'a' } },
        { type: 'identify', messageId: 'm2', anonymousId: 'x2', timestamp: TS, traits: { customer_id: 42, plan: 'b' } },
        { type: 'identify', messageId: 'm3', anonymousId: 'x3', timestamp: TS, context: { traits: { email: 'ada@example.com' } }, traits: { plan: 'c' } },
        { type: 'track', messageId: 'm4', anonymousId: 'x4', timestamp: TS, event: 'Opened', properties: { phone: '+14155552671' } },
        // Not an email (no @), not E.164: nothing identifies it.
        { type: 'track', messageId: 'm5', anonymousId: 'x5', timestamp: TS, event: 'Opened', traits: { email: 'nobody' }, properties: { phone: '555-1234' } },
      ],
      { version: 1, identifiers: ['userId', 'traits.customer_id', 'email', 'phone'] },
    );
    const { result, recorded, report } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'attributes')).toEqual([
      { external_id: 'u1', customer_id: 'C-1', plan: 'a' },
      { external_id: '42', customer_id: 42, plan: 'b' },
      { email: 'ada@example.com', plan: 'c' },
    ]);
    expect(objectsIn(recorded, 'events')).toEqual([{ phone: '+14155552671', name: 'Opened', time: TS, properties: { phone: '+14155552671' } }]);
    const r = report();
    expect(r.records.identifiedBy).toEqual({ userId: 1, 'traits.customer_id': 1, email: 1, phone: 1 });
    expect(r.records.skipped['anonymous']).toBe(1);
    expect(r.mapping?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expectIdentity(r);
  });

  it('keeps a phone-identified user on its phone: an email trait is dropped (Braze would take email first)', async () => {
    const { input, file } = workspace(
      [{ type: 'identify', anonymousId: 'x', messageId: 'm1', timestamp: TS, traits: { phone: '+14155552671', email: 'ada@example.com', plan: 'p' } }],
      { version: 1, identifiers: ['userId', 'phone', 'email'] },
    );
    const { result, recorded, report } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'attributes')).toEqual([{ phone: '+14155552671', plan: 'p' }]);
    expect(report().records.identifiedBy).toEqual({ userId: 0, phone: 1, email: 0 });
  });

  it('renames traits to standard fields (with their rules) and to custom names, the renamed value winning, and drops by glob', async () => {
    const { input, file } = workspace(
      [{ type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { given_name: 'Ada', signup_country: 'germany', plan_tier: 'pro', plan: 'old', company: { name: 'Acme', size: 5 }, password_hash: 'x', internal_score: 3, email: 'ada@example.com' } }],
      { version: 1, attributes: { rename: { given_name: 'first_name', signup_country: 'country', plan_tier: 'plan', 'company.name': 'company_name' }, drop: ['password*', 'internal_*'] } },
    );
    const { result, recorded } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'attributes')).toEqual([
      { external_id: 'u1', first_name: 'Ada', email: 'ada@example.com', country: 'DE', plan: 'pro', company: { size: 5 }, company_name: 'Acme' },
    ]);
  });

  it('maps a trait to a subscription group: subscribed, unsubscribed, and an unlisted value dropped', async () => {
    const { input, file } = workspace(
      [
        { type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { newsletter: 'YES' } },
        { type: 'identify', userId: 'u2', messageId: 'm2', timestamp: TS, traits: { newsletter: false, plan: 'x' } },
        { type: 'identify', userId: 'u3', messageId: 'm3', timestamp: TS, traits: { newsletter: 'maybe', plan: 'y' } },
      ],
      { version: 1, attributes: { subscriptionGroups: [{ from: 'newsletter', groupId: GROUP, subscribed: [true, 'yes'], unsubscribed: [false, 'no'] }] } },
    );
    const { result, recorded, report } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'attributes')).toEqual([
      { external_id: 'u1', subscription_groups: [{ subscription_group_id: GROUP, subscription_state: 'subscribed' }] },
      { external_id: 'u2', plan: 'x', subscription_groups: [{ subscription_group_id: GROUP, subscription_state: 'unsubscribed' }] },
      { external_id: 'u3', plan: 'y' },
    ]);
    // Subscription fields cost no data points: one per plan.
    expect(report().dataPoints).toBe(2);
  });

  it('imports push tokens once per user and token, and never an anonymous message\'s', async () => {
    const device = (token: string) => ({ device: { token, id: 'd1' } });
    const { input, file } = workspace(
      [
        { type: 'track', userId: 'u1', messageId: 'm1', timestamp: TS, event: 'Opened', context: device('tok-1') },
        { type: 'track', userId: 'u1', messageId: 'm2', timestamp: TS, event: 'Opened', context: device('tok-1') },
        { type: 'identify', userId: 'u1', messageId: 'm3', timestamp: TS, traits: { plan: 'p' }, context: device('tok-2') },
        { type: 'track', anonymousId: 'x', messageId: 'm4', timestamp: TS, event: 'Opened', context: device('tok-anon') },
      ],
      { version: 1, pushTokens: { appId: 'app-1' } },
    );
    const { result, recorded, report } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'attributes')).toEqual([
      { external_id: 'u1', push_tokens: [{ app_id: 'app-1', token: 'tok-1', device_id: 'd1' }] },
      { external_id: 'u1', plan: 'p', push_tokens: [{ app_id: 'app-1', token: 'tok-2', device_id: 'd1' }] },
    ]);
    expect(objectsIn(recorded, 'events')).toHaveLength(2);
    const r = report();
    expect(r.records.skipped['anonymous']).toBe(1);
    expect(r.objects?.attributesUnchanged).toBe(1);
    expectIdentity(r);
  });

  it('renames events before --events sees them, and drops and adds properties on events and purchases', async () => {
    const { input, file } = workspace(
      [
        { type: 'track', userId: 'u1', messageId: 'm1', timestamp: TS, event: 'Signed Up', properties: { card_number: '4111', plan: 'pro' } },
        { type: 'track', userId: 'u1', messageId: 'm2', timestamp: TS, event: 'Order Completed', properties: { card_last4: '1234', source: 'web', products: [{ product_id: 'p1', price: 3, card_type: 'visa' }] } },
        { type: 'track', userId: 'u1', messageId: 'm3', timestamp: TS, event: 'Clicked' },
      ],
      { version: 1, events: { rename: { 'Signed Up': 'Account Created' }, dropProperties: ['card_*'], addProperties: { source: 'segment-replay' } } },
    );
    const { result, recorded, report } = await live(input, file, ['--events', 'Account Created,Order Completed']);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'events')).toEqual([{ external_id: 'u1', name: 'Account Created', time: TS, properties: { plan: 'pro', source: 'segment-replay' } }]);
    expect(objectsIn(recorded, 'purchases')).toEqual([
      { external_id: 'u1', product_id: 'p1', currency: 'USD', price: 3, quantity: 1, time: TS, properties: { source: 'segment-replay' } },
    ]);
    const r = report();
    expect(r.records.skipped['filtered']).toBe(1);
    expectIdentity(r);
  });

  it('keeps an email-identified user and an external_id-identified user of the same string apart (--attributes changed)', async () => {
    const { input, file } = workspace(
      [
        { type: 'identify', userId: 'ada@example.com', messageId: 'm1', timestamp: TS, traits: { plan: 'pro' } },
        { type: 'identify', anonymousId: 'x', messageId: 'm2', timestamp: TS, traits: { email: 'ada@example.com', plan: 'pro' } },
      ],
      { version: 1, identifiers: ['userId', 'email'] },
    );
    const { result, recorded, report } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'attributes')).toEqual([
      { external_id: 'ada@example.com', plan: 'pro' },
      { email: 'ada@example.com', plan: 'pro' },
    ]);
    expect(report().objects?.attributesUnchanged).toBe(0);
  });

  it('--stitch links an anonymousId to the identifier its linking message yields, by type and value', async () => {
    const { input, file } = workspace(
      [
        { type: 'identify', anonymousId: 'a1', messageId: 'm1', timestamp: TS, traits: { email: 'ada@example.com', plan: 'q' } },
        { type: 'track', anonymousId: 'a1', messageId: 'm2', timestamp: TS, event: 'Opened' },
        { type: 'identify', userId: 'ada@example.com', anonymousId: 'a2', messageId: 'm3', timestamp: TS, traits: { plan: 'p' } },
        { type: 'track', anonymousId: 'a2', messageId: 'm4', timestamp: TS, event: 'Opened' },
      ],
      { version: 1, identifiers: ['userId', 'email'] },
    );
    const { result, recorded, report } = await live(input, file, ['--stitch']);
    expect(result.code, result.stderr).toBe(0);
    expect(objectsIn(recorded, 'events')).toEqual([
      { email: 'ada@example.com', name: 'Opened', time: TS },
      { external_id: 'ada@example.com', name: 'Opened', time: TS },
    ]);
    const r = report() as MappingReport & { records: { stitched?: number } };
    expect(r.records.stitched).toBe(2);
    expect(r.records.identifiedBy).toEqual({ userId: 1, email: 1 });
    expectIdentity(r);
  });

  it('shows every change the file makes in the dry-run diff, with "mapping file" in its reason', async () => {
    const { input, file } = workspace(
      [
        { type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { given_name: 'Ada', password: 'x', newsletter: 'maybe' }, context: { device: { token: 't' } } },
        { type: 'track', messageId: 'm2', timestamp: TS, event: 'Signed Up', traits: { customer_id: 'C-2' }, properties: { card_number: '1' } },
        { type: 'track', anonymousId: 'x', messageId: 'm3', timestamp: TS, event: 'Opened', context: { device: { token: 'anon' } } },
        { type: 'track', userId: 'u3', messageId: 'm4', timestamp: TS, event: 'Opened', context: { device: { token: 't3' } } },
      ],
      {
        version: 1,
        identifiers: ['userId', 'traits.customer_id'],
        attributes: { rename: { given_name: 'first_name' }, drop: ['password'], subscriptionGroups: [{ from: 'newsletter', groupId: GROUP }] },
        pushTokens: { appId: 'app-1' },
        events: { rename: { 'Signed Up': 'Account Created' }, dropProperties: ['card_*'], addProperties: { source: 'segment-replay' } },
      },
    );
    const state = tempDir();
    const result = await runCli(['replay', input, '--mapping', file, '--dry-run', '--state', state, '--quiet', '--diff', 'full']);
    expect(result.code, result.stderr).toBe(0);
    for (const line of [
      /traits\.given_name -> attributes\.first_name .*renamed by the mapping file/,
      /traits\.password .*dropped by the mapping file/,
      /traits\.newsletter .*neither as subscribed nor as unsubscribed.* mapping file/,
      /context\.device\.token -> attributes\.push_tokens\[0\]\.token .*mapping file/,
      /traits\.customer_id -> events\[0\]\.external_id .*identifier from the mapping file/,
      /event -> events\[0\]\.name .*renamed by the mapping file/,
      /properties\.card_number .*dropped by the mapping file/,
      /events\[0\]\.properties\.source .*added by the mapping file/,
      /context\.device\.token .*anonymous message: not imported \(mapping file/,
    ]) expect(result.stdout).toMatch(line);
    // A track's push token goes to an attributes object of its own; the event keeps its time and identifier lines.
    expect(result.stdout).toMatch(/archive\.ndjson:4 [^\n]*\n {4}userId -> events\[0\]\.external_id\n {4}timestamp -> events\[0\]\.time\n/);
  });
});

describe('the sample workspace (samples/workspace)', () => {
  it('sends what its dry run plans, and the emulator accepts every object', async () => {
    const input = join(ROOT, 'samples', 'workspace', 'archive.ndjson');
    const file = join(ROOT, 'samples', 'workspace', 'braze-mapping.json');
    const dry = tempDir();
    expect((await runCli(['replay', input, '--mapping', file, '--dry-run', '--state', dry, '--quiet', '--diff', 'none'])).code).toBe(0);
    const { result, recorded, record, report } = await live(input, file);
    expect(result.code, result.stderr).toBe(0);
    expect(sorted(recordedObjects(record))).toEqual(sorted(plannedObjects(dry)));
    expect(recorded).toHaveLength(8);
    const r = report();
    expect(r.records.identifiedBy).toEqual({ userId: 4, 'traits.customer_id': 1, email: 1, phone: 1 });
    expect(r.records.skipped['anonymous']).toBe(1);
    expectIdentity(r);
  });
});

describe('a bad mapping file stops the command before anything is sent (exit 2)', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['invalid JSON', '{\n  "version": 1,\n  "identifiers": ["userId",]\n}', /braze-mapping\.json:line 3, column \d+: invalid JSON/],
    ['an unknown key', '{"version": 1, "atributes": {}}', /atributes: unknown key \(did you mean "attributes"\?\)/],
    ['an unknown nested key', '{"version": 1, "events": {"dropProperty": ["a"]}}', /events\.dropProperty: unknown key \(did you mean "dropProperties"\?\)/],
    ['a wrong type', '{"version": 1, "attributes": {"drop": "password*"}}', /attributes\.drop: must be an array/],
    ['a missing version', '{"identifiers": ["userId"]}', /version: is required/],
    ['a bad identifier', '{"version": 1, "identifiers": ["userId", "emial"]}', /identifiers\[1\]: "emial" is neither userId, email, phone nor a dot path.*did you mean "email"/],
    ['a rename target Braze refuses', '{"version": 1, "attributes": {"rename": {"plan_tier": "$plan"}}}', /attributes\.rename\["plan_tier"\]: Braze would refuse the target "\$plan"/],
    ['a rename target over 255 characters', `{"version": 1, "attributes": {"rename": {"plan_tier": "${'p'.repeat(256)}"}}}`, /attributes\.rename\["plan_tier"\]: Braze would refuse the target/],
    ['an empty glob', '{"version": 1, "events": {"dropProperties": ["card_*", ""]}}', /events\.dropProperties\[1\]: is an empty glob/],
    ['an empty groupId', '{"version": 1, "attributes": {"subscriptionGroups": [{"from": "newsletter", "groupId": ""}]}}', /attributes\.subscriptionGroups\[0\]\.groupId: must be a non-empty string/],
    ['a groupId that is not a string', '{"version": 1, "attributes": {"subscriptionGroups": [{"from": "newsletter", "groupId": 7}]}}', /attributes\.subscriptionGroups\[0\]\.groupId: must be a string/],
    ['an empty appId', '{"version": 1, "pushTokens": {"appId": " "}}', /pushTokens\.appId: must be a non-empty string/],
    ['a value both subscribed and unsubscribed', '{"version": 1, "attributes": {"subscriptionGroups": [{"from": "n", "groupId": "g", "subscribed": ["Yes"], "unsubscribed": ["yes"]}]}}', /attributes\.subscriptionGroups\[0\]: "yes" is listed both as subscribed and as unsubscribed/],
  ];
  it.each(cases)('%s', async (_name, text, message) => {
    const { input, file } = workspace([{ type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { plan: 'p' } }], text);
    const { result, recorded } = await live(input, file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('braze-mapping.json');
    expect(recorded).toEqual([]);
  });
});

describe('the mapping file is part of the run\'s settings', () => {
  it('refuses to resume an explicit --state with an edited file, and names the file in the report', async () => {
    const { input, file } = workspace([{ type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { plan: 'p' } }], { version: 1 });
    const state = tempDir();
    const args = ['replay', input, '--mapping', file, '--dry-run', '--state', state, '--quiet', '--diff', 'none'];
    expect((await runCli(args)).code).toBe(0);
    expect((readReport(state) as MappingReport).mapping?.file).toBe(file);
    expect((await runCli(args)).code).toBe(0);
    writeFileSync(file, JSON.stringify({ version: 1, identifiers: ['email'] }));
    const edited = await runCli(args);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/mapping file changed/);
  });

  it('starts a run of its own for an edited file with the default --state', async () => {
    const { dir, input, file } = workspace([{ type: 'identify', userId: 'u1', messageId: 'm1', timestamp: TS, traits: { plan: 'p' } }], { version: 1 });
    const args = ['replay', input, '--mapping', file, '--dry-run', '--quiet', '--diff', 'none'];
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    expect(readdirSync(join(dir, '.segment-braze'))).toHaveLength(1);
    writeFileSync(file, JSON.stringify({ version: 1, identifiers: ['email'] }));
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    expect(readdirSync(join(dir, '.segment-braze'))).toHaveLength(2);
  });
});
