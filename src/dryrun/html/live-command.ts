/** Flags of a dry run that a live run does not take, with whether they take a value. */
const DRY_ONLY: ReadonlyMap<string, boolean> = new Map([
  ['--dry-run', false],
  ['--diff', true],
  ['--keep-requests', true],
  // A dry run's state directory refuses a live run (cli.md): the live run keeps its own.
  ['--state', true],
  ['--restart', false],
  ['--json', false],
]);

/**
 * The command that runs a dry run's replay for real: the dry run's command line (as the resume message
 * quotes it, with no secret in it: the API key is only ever read from a file or the environment)
 * without the dry-run flags, and with a placeholder `--endpoint` when the dry run had none (unless
 * BRAZE_REST_ENDPOINT is set where the live run is made).
 */
export function liveCommand(dryRunCommand: string): string {
  const tokens = dryRunCommand.match(/(?:[^\s']+|'[^']*')+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const eq = token.indexOf('=');
    const flag = token.startsWith('--') && eq > 0 ? token.slice(0, eq) : token;
    const takesValue = DRY_ONLY.get(flag);
    if (takesValue === undefined) out.push(token);
    else if (takesValue && flag === token) i++;
  }
  if (!out.some((t) => t === '--endpoint' || t.startsWith('--endpoint='))) out.push('--endpoint', "'<instance, or set BRAZE_REST_ENDPOINT>'");
  return out.join(' ');
}
