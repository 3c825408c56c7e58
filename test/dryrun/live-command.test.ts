import { describe, expect, it } from 'vitest';
import { liveCommand } from '../../src/dryrun/html/live-command.js';

describe('liveCommand', () => {
  it('leaves out the dry-run flags and their values, and keeps the rest as quoted', () => {
    const dry = "npx segment-braze replay 'exports/**/*.gz' --dry-run --diff full --keep-requests all --state /tmp/x --endpoint US-03 --events 'Order *' --json";
    expect(liveCommand(dry)).toBe("npx segment-braze replay 'exports/**/*.gz' --endpoint US-03 --events 'Order *'");
  });

  it('understands --flag=value and says where an endpoint must go when the dry run had none', () => {
    expect(liveCommand('npx segment-braze replay logs --dry-run --diff=none --state=/s')).toBe("npx segment-braze replay logs --endpoint '<instance, or set BRAZE_REST_ENDPOINT>'");
  });
});
