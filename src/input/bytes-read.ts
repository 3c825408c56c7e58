/**
 * Bytes read from the inputs by this process, as they come off the disk (or stdin), compressed or
 * not: what the progress bar shows against the inputs' total size. One counter for the process: the
 * inputs are read on the main thread, one file at a time.
 */
let read = 0;

export function countInputBytes(bytes: number): void {
  read += bytes;
}

export function inputBytesRead(): number {
  return read;
}
