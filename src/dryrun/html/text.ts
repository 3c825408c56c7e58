/** HTML text and attribute escaping (everything the page shows comes from the archive or the command line). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A count for people (1,234,567); the exact value stays in the cell's data-value attribute. */
export function num(n: number): string {
  return n.toLocaleString('en');
}

/** A table cell holding a number, readable by a test or a script through `data-value`. */
export function numCell(n: number, key?: string): string {
  return `<td class="n" data-value="${n}"${key ? ` data-key="${esc(key)}"` : ''}>${num(n)}</td>`;
}

/** Cuts a text shown in a cell (field paths and reasons come from the archive). */
export function cut(text: string, n = 200): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min ${s} s` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}
