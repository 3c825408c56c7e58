import { describe, expect, it } from 'vitest';
import { runEmulator } from '../../src/commands/emulator.js';

// Lives here rather than in test/commands/ because the emulator command is part of this folder's work.
describe('runEmulator', () => {
  it('prints where it listens and stops on SIGTERM, removing its handlers', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const lines: string[] = [];
    let listening: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const done = runEmulator({ apiKey: 'k', port: 0 }, (line) => {
      lines.push(line);
      listening();
    });
    await ready;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    process.emit('SIGTERM');
    await done;
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
    await expect(fetch(`${lines[0]!.slice('listening on '.length)}/users/track`, { method: 'POST' })).rejects.toThrow();
  });
});
