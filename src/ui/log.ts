import { stderr } from './terminal.js';

/** Leveled messages on stderr. Texts here never contain the API key (it is never handed to them). */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
}

export function stderrLog(quiet: boolean, write: (text: string) => void = (t) => stderr.write(t)): Log {
  return {
    info: (message) => {
      if (!quiet) write(`${message}\n`);
    },
    warn: (message) => write(`Warning: ${message}\n`),
  };
}
