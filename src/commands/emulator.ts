import { startEmulator, type EmulatorOptions } from '../emulator/server.js';

/**
 * `segment-braze emulator`: starts the local Braze-compatible server, prints
 * `listening on http://HOST:PORT` once ready, and resolves after SIGINT/SIGTERM once it is closed.
 */
export async function runEmulator(options: EmulatorOptions, print: (line: string) => void): Promise<void> {
  const emulator = await startEmulator(options);
  print(`listening on ${emulator.url}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emulator.close();
}
