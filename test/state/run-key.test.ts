import { describe, expect, it } from 'vitest';
import { defaultStateDir, settingsHash, type RunIdentity } from '../../src/state/run-key.js';

const identity: RunIdentity = {
  command: 'replay',
  dryRun: false,
  inputs: ['/data/a.ndjson.gz', '/data/b.ndjson.gz'],
  endpoint: 'https://rest.iad-01.braze.com',
  settings: { preset: 'classic', batchSize: 75, pages: 'none' },
};

describe('defaultStateDir', () => {
  it('is the same directory for the same identity', () => {
    expect(defaultStateDir('/work', identity)).toBe(defaultStateDir('/work', { ...identity, settings: { ...identity.settings } }));
  });

  it('does not depend on the order of settings keys', () => {
    const reordered: RunIdentity = { ...identity, settings: { pages: 'none', batchSize: 75, preset: 'classic' } };
    expect(defaultStateDir('/work', reordered)).toBe(defaultStateDir('/work', identity));
  });

  it('lives under <cwd>/.segment-braze and names the command and dry run', () => {
    expect(defaultStateDir('/work', identity)).toMatch(/^\/work\/\.segment-braze\/replay-[0-9a-f]{12}$/);
    expect(defaultStateDir('/work', { ...identity, dryRun: true })).toMatch(/^\/work\/\.segment-braze\/replay-dry-[0-9a-f]{12}$/);
    expect(defaultStateDir('/work', { ...identity, command: 'delete' })).toMatch(/\/delete-[0-9a-f]{12}$/);
  });

  it('differs when settings, inputs, endpoint or dry run differ', () => {
    const base = defaultStateDir('/work', identity);
    const variants: RunIdentity[] = [
      { ...identity, settings: { ...identity.settings, batchSize: 50 } },
      { ...identity, inputs: ['/data/a.ndjson.gz'] },
      { ...identity, inputs: [...identity.inputs].reverse() },
      { ...identity, endpoint: 'https://rest.fra-01.braze.eu' },
      { ...identity, dryRun: true },
    ];
    const dirs = variants.map((v) => defaultStateDir('/work', v));
    for (const dir of dirs) expect(dir).not.toBe(base);
    expect(new Set(dirs).size).toBe(variants.length);
  });

  it('treats an undefined setting like a missing one', () => {
    const withUndefined: RunIdentity = { ...identity, settings: { ...identity.settings, appId: undefined } };
    expect(defaultStateDir('/work', withUndefined)).toBe(defaultStateDir('/work', identity));
  });
});

describe('settingsHash', () => {
  it('ignores inputs and endpoint but not settings, command or dry run', () => {
    const hash = settingsHash(identity);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(settingsHash({ ...identity, inputs: ['/other'], endpoint: undefined })).toBe(hash);
    expect(settingsHash({ ...identity, settings: { ...identity.settings, preset: 'actions' } })).not.toBe(hash);
    expect(settingsHash({ ...identity, command: 'delete' })).not.toBe(hash);
    expect(settingsHash({ ...identity, dryRun: true })).not.toBe(hash);
  });
});
