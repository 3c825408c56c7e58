import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { tempDir } from './cli.js';

export interface Emulated {
  readonly url: string;
  /** The NDJSON file the emulator appends every accepted object and deleted ID to. */
  readonly record: string;
  readonly emulator: RunningEmulator;
}

/**
 * The emulator for one test file: `emulate()` starts one on a free loopback port with a fresh record
 * file, and it is closed after each test.
 */
export function emulatorFor(apiKey: string): (options?: Partial<EmulatorOptions>) => Promise<Emulated> {
  let running: RunningEmulator | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return async (options = {}) => {
    const record = join(tempDir(), 'record.ndjson');
    running = await startEmulator({ port: 0, apiKey, record, ...options });
    return { url: running.url, record, emulator: running };
  };
}
