import { startEmulator, type EmulatorOptions } from '../emulator/server.js';
import { onSignal } from '../ui/terminal.js';

/**
 * `segment-braze emulator`: starts the local Braze-compatible server, prints
 * `listening on http://HOST:PORT` once ready, and resolves after SIGINT/SIGTERM once it is closed.
 */
export async function runEmulator(options: EmulatorOptions, print: (line: string) => void): Promise<void> {
  const emulator = await startEmulator(options);
  print(`listening on ${emulator.url}`);
  await new Promise<void>((resolve) => {
    const off = onSignal((signal) => {
      // Its one line is printed: a reader of stdout going away changes nothing.
      if (signal === 'SIGPIPE') return;
      off();
      resolve();
    });
  });
  await emulator.close();
}
