/**
 * The sources of links ("file:line") as the identity index stores them: (file number, line), the
 * file names interned in a table (`names`, shared with the store that saves it; -1: no line).
 */
export class LinkSources {
  readonly #numbers = new Map<string, number>();

  constructor(readonly names: string[]) {
    names.forEach((name, n) => this.#numbers.set(name, n));
  }

  /** [file number, line]: a source without a line after its last colon is a file name as it is. */
  of(source: string): [number, number] {
    const colon = source.lastIndexOf(':');
    const line = colon < 0 ? NaN : Number(source.slice(colon + 1));
    const withLine = Number.isSafeInteger(line) && line >= 0 && line < 2 ** 32 - 1 && colon < source.length - 1;
    const file = withLine ? source.slice(0, colon) : source;
    let n = this.#numbers.get(file);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(file);
      this.#numbers.set(file, n);
    }
    return [n, withLine ? line : -1];
  }

  text(file: number, line: number): string {
    const name = this.names[file] ?? `file #${file}`;
    return line < 0 ? name : `${name}:${line}`;
  }
}
