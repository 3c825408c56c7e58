/**
 * A glob as regular-expression source, the one conversion of every glob the tool takes: `*` is any
 * characters; with `wild` 'star' (the mapping file, mapping.md §10) nothing else is special, with
 * 'star-question' (`--events`, `--skip-events`) `?` is one character and `\` makes the next literal.
 */
export function globSource(pattern: string, wild: 'star' | 'star-question'): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (wild === 'star-question' && c === '\\') source += escapeRegex(pattern[++i] ?? '\\');
    else if (wild === 'star-question' && c === '?') source += '.';
    else source += escapeRegex(c);
  }
  return source;
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}
