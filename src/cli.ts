import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Command, CommanderError, Option } from 'commander';
import { CHOICES, deleteConfig, replayConfig, type Env, type RawOptions } from './config/options.js';
import { DiskFullError, InterruptedError, ToolError, UsageError } from './errors.js';
import type { RunDeps } from './pipeline/run-plan.js';
import type { Report } from './state/report.js';
import { stderrLog } from './ui/log.js';
import { inputBytesRead } from './input/bytes-read.js';
import { createProgress, type ProgressKind } from './ui/progress.js';
import { onSignal, onUnhandledSignal, stderr, stderrIsTTY, stdin, stdinIsTTY, stdoutClosed } from './ui/terminal.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const replayExamples = `
Examples:
  # Validate before go-live: nothing is sent; shows what each Segment field becomes in Braze
  $ segment-braze replay ./segment-logs --dry-run
  $ segment-braze replay 'exports/**/*.ndjson.gz' --dry-run --diff full --pages named
  $ segment-braze replay samples/warehouse/order_completed.csv --dry-run --json
  $ segment-braze replay ./segment-logs --dry-run --state review/   # then open review/report.html

  # Go live (the key comes from BRAZE_API_KEY or --api-key-file, never from a flag)
  $ BRAZE_API_KEY=... segment-braze replay ./segment-logs --endpoint US-03
  $ zcat day.ndjson.gz | segment-braze replay - --endpoint https://rest.fra-01.braze.eu --api-key-file key.txt
  $ segment-braze replay ./segment-logs --endpoint US-03 --workers 1   # leave cores to a shared machine

  # Straight from S3 (credentials and region from the AWS chain: env, AWS_PROFILE, SSO, roles)
  $ AWS_PROFILE=analytics segment-braze replay s3://acme-segment/segment-logs/AbC123/ --dry-run
  $ segment-braze replay 's3://acme-segment/segment-logs/AbC123/1735*/*.gz' --endpoint US-03
  $ segment-braze replay s3://segment/logs/ --s3-endpoint http://127.0.0.1:9000 --dry-run   # MinIO

  # Spend data points only where needed: attributes that changed (the default), chosen events, a cap
  $ segment-braze replay ./segment-logs --dry-run --skip-events 'Product Viewed,Video *'   # see where they go
  $ segment-braze replay ./segment-logs --endpoint US-03 --max-data-points 5000000   # exit 4 at the cap

  # Your workspace's schema: customer_id/email/phone identifiers, renames, subscription groups, push tokens
  $ segment-braze replay samples/workspace/archive.ndjson --mapping samples/workspace/braze-mapping.json --dry-run

  # Interrupted? Run the same command again: it resumes from its checkpoint.
  # One run at a time per state directory; a run on another machine (shared disk) that went down:
  $ segment-braze replay ./segment-logs --endpoint US-03 --take-over-lock

Exit codes: 0 done, 3 done with rejected records (see rejected.ndjson), 2 usage or state error,
1 fatal error during the run (checkpoint saved), 4 stopped at the --max-data-points budget
(checkpoint saved), 130 interrupted (checkpoint saved), 141 stdout closed before the run ended
(checkpoint saved).
`;

const deleteExamples = `
Examples:
  $ segment-braze delete samples/delete-ids.txt --dry-run
  $ BRAZE_API_KEY=... segment-braze delete ids.txt --endpoint EU-01
  $ segment-braze delete requests.csv --column user_id --endpoint US-01 --yes
  $ segment-braze delete aliases.csv --id-type user_alias --alias-label amplitude_id --endpoint US-01
  $ segment-braze delete s3://acme-privacy/erasure/2025-06.txt.gz --endpoint US-01 --yes

It asks for confirmation before deleting; without a terminal it needs --yes.
`;

const emulatorExamples = `
Examples:
  $ BRAZE_API_KEY=test-key segment-braze emulator --port 4000 --record received.ndjson
  $ segment-braze emulator --api-key-file key.txt --rate-limit 100 --rate-window 1 --fail-rate 0.1
Then point a run at it: --endpoint http://127.0.0.1:4000
`;

/** Options that replay and delete share. */
function addConnection(command: Command, defaultRate: number, maxBatch: number): Command {
  return command
    .option('--dry-run', 'send nothing; write requests.ndjson and report.html (a page to review) and show what a real run would send')
    .option('--keep-requests <n|all>', 'requests a dry run writes to requests.ndjson, the first n (default 10000)')
    .option('--endpoint <url|instance>', 'Braze REST endpoint or instance name (US-01 … US-10, EU-01, EU-02, AU-01); env BRAZE_REST_ENDPOINT')
    .option('--api-key-file <path>', 'file holding the REST API key (else env BRAZE_API_KEY)')
    .option('--batch-size <n>', `objects per request, 1-${maxBatch} (default ${maxBatch})`)
    .option('--concurrency <n>', 'requests in flight (default 8)')
    .option('--rate <n>', `at most n requests per second (default ${defaultRate})`)
    .option('--max-retries <n>', 'retries for 429, 5xx, timeouts and connection errors (default 10; S3 reads too)')
    .option('--timeout <seconds>', 'per-request timeout (default 30; an S3 connection silent this long is retried)')
    .option('--state <dir>', 'state directory (default .segment-braze/<key> from the command, inputs, endpoint and settings)')
    .option('--restart', 'discard the saved state and start over')
    .option('--take-over-lock', 'take the state directory from a run on another host that holds its lock and no longer runs (a lock left on this host by a process that died is taken over without it)')
    .addOption(new Option('--in-doubt <mode>', 'requests in flight when a previous run died: send again (default) or skip').choices(CHOICES.inDoubt))
    .option('--checkpoint-every <seconds>', 'how often the checkpoint is saved while requests are acknowledged (default 1)')
    .option('--s3-endpoint <url>', 's3:// inputs: an S3-compatible store (MinIO, R2, ...), path-style; credentials from the AWS chain')
    .option('--json', 'print only the report, as JSON, on stdout')
    .option('--quiet', 'no progress on stderr');
}

function program(run: (task: () => Promise<Report | void>) => Promise<void>, env: Env, deps: (quiet: boolean, kind: ProgressKind) => RunDeps): Command {
  const cli = new Command('segment-braze')
    // Set before the subcommands are added, so that they inherit it: usage errors exit 2, not 1.
    .exitOverride()
    .configureOutput({ writeErr: (text) => stderr.write(text) })
    .description('Replay Segment archives into Braze (users/track), delete Braze users, and rehearse against a local Braze emulator.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)');

  addConnection(
    cli
      .command('replay')
      .description('Replay Segment archives (NDJSON, JSON arrays, CSV; optionally gzipped) to Braze users/track')
      .argument('<input...>', 'files, directories, quoted globs, s3://bucket/prefix/ (or /key, or a glob), or - for stdin')
      .addOption(new Option('--format <format>', 'input format when the extension does not say').choices(CHOICES.format))
      .addOption(new Option('--preset <preset>', 'mapping preset (default classic)').choices(CHOICES.preset))
      .addOption(new Option('--pages <mode>', 'page and screen calls (default none)').choices(CHOICES.pages))
      .addOption(new Option('--purchases <mode>', 'what becomes a Braze purchase (default order-completed)').choices(CHOICES.purchases))
      .addOption(new Option('--time <field>', 'event time field (default: timestamp for classic, receivedAt for actions)').choices(CHOICES.time))
      .option('--update-existing-only', 'set _update_existing_only: true on every object')
      .option('--app-id <id>', 'app_id for events and purchases')
      .option('--include-braze-events', 'also replay events that Braze itself produced (Currents)')
      .option('--since <time>', 'only messages at or after this time (ISO 8601, UTC unless zoned)')
      .option('--until <time>', 'only messages before this time')
      .option('--events <names>', 'only these events: comma-separated names or globs ("Order *", "Viewed * Page"), case-sensitive')
      .option('--skip-events <names>', 'leave these events out: names or globs, as --events')
      .addOption(new Option('--attributes <mode>', 'changed: send an attribute only when its value changed for the user (default); all: every time').choices(CHOICES.attributes))
      .option('--attribute-memory <size>', 'what --attributes changed remembers of the values sent, e.g. 256MiB or 1GiB (default 64MiB, 16 bytes a value); a larger memory forgets less')
      .option('--max-data-points <n>', 'stop (exit 4, checkpoint saved) before the request that would take the run past n Braze data points; resume with a higher n')
      .option('--mapping <file>', 'adapt the mapping to your workspace (JSON): identifiers (customer_id, email, phone), attribute renames and drops, subscription groups, push tokens, event renames, dropped and added properties')
      .option('--stitch', 'index the archive first, then send anonymous-only messages as the one userId their anonymousId is linked to (a message carrying both, or an alias)')
      .addOption(new Option('--diff <mode>', 'dry-run output (default summary)').choices(CHOICES.diff))
      .option('--workers <n>', 'threads that parse and map NDJSON, 1-16 (default: one per core but one, 2 to 4)')
      .option('--dedup-window <duration>', 'skip a messageId seen within this much message time: e.g. 48h (default), 7d, all, off'),
    500,
    75,
  )
    .addHelpText('after', replayExamples)
    .action((inputs: string[], raw: RawOptions) =>
      run(async () => {
        const config = replayConfig(inputs, raw, env, process.cwd());
        const { replay } = await import('./commands/replay.js');
        return replay(config, deps(config.quiet, { command: 'replay', live: !config.dryRun }), { stdout: out, stdin });
      }),
    );

  addConnection(
    cli
      .command('delete')
      .description('Delete Braze users listed in files (users/delete, 50 IDs a request)')
      .argument('<input...>', '.txt, .csv or .ndjson files (optionally .gz), s3:// URLs of them, or - for stdin')
      .addOption(new Option('--id-type <type>', 'identifier type (default external_id)').choices(CHOICES.idType))
      .option('--alias-label <label>', 'alias label for --id-type user_alias')
      .option('--column <name>', 'CSV column holding the ID (default: external_id, userId, user_id or id)')
      .option('--field <path>', 'NDJSON field holding the ID (default: userId, then external_id)')
      .option('--yes', 'do not ask for confirmation'),
    50,
    50,
  )
    .addHelpText('after', deleteExamples)
    .action((inputs: string[], raw: RawOptions) =>
      run(async () => {
        const config = deleteConfig(inputs, raw, env, process.cwd());
        const { deleteUsers } = await import('./commands/delete.js');
        const io = { stdout: out, stdin, stdinIsTTY };
        return deleteUsers(config, deps(config.quiet, { command: 'delete', live: !config.dryRun }), io);
      }),
    );

  cli
    .command('emulator')
    .description('Run a local Braze-compatible server (users/track, users/delete) for rehearsals and tests')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '4000')
    .option('--api-key-file <path>', 'file holding the key clients must send (else env BRAZE_API_KEY)')
    .option('--rate-limit <n>', 'requests allowed per window (default 3000 for track, 20000 for delete)')
    .option('--rate-window <seconds>', 'rate-limit window (default 3 for track, 60 for delete)')
    .option('--retry-after', 'send Retry-After on 429 answers')
    .option('--fail-rate <0..1>', 'share of requests answered 5xx before processing', '0')
    .option('--reset-rate <0..1>', 'share of connections reset before processing', '0')
    .option('--latency <ms>', 'delay before each answer', '0')
    .addOption(new Option('--limit-mode <mode>', 'object limit per users/track request').choices(CHOICES.limitMode).default('combined-75'))
    .option('--poison <ids>', 'comma-separated external_ids that make a whole request fail with 400')
    .option('--record <file>', 'append every accepted object and deleted ID to this NDJSON file')
    .addHelpText('after', emulatorExamples)
    .action((raw: RawOptions) =>
      run(async () => {
        const { emulatorOptions } = await import('./config/emulator-options.js');
        const { runEmulator } = await import('./commands/emulator.js');
        await runEmulator(emulatorOptions(raw, env), (line) => out(`${line}\n`));
      }),
    );
  return cli;
}

function out(text: string): void {
  process.stdout.write(text);
}

/** A run stopped because stdout's reader went away, as a shell reports a process SIGPIPE ended (128 + 13). */
const STDOUT_CLOSED = 141;

/** The only place errors become exit codes (style.md habit 6). */
function exitCodeOf(report: Report | void): number {
  if (!report) return 0;
  const rejected = (report.records?.rejected ?? 0) + (report.ids?.rejected ?? 0);
  return rejected > 0 ? 3 : 0;
}

async function main(argv: string[]): Promise<void> {
  let code = 0;
  const env: Env = {
    BRAZE_API_KEY: process.env.BRAZE_API_KEY,
    BRAZE_REST_ENDPOINT: process.env.BRAZE_REST_ENDPOINT,
  };
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  // --restart would wipe the state the interrupted run just saved: the resume command drops it.
  const resumeCommand = ['npx segment-braze', ...argv.slice(2).filter((a) => a !== '--restart').map(quote)].join(' ');
  /** The effects a run gets: clock, randomness, stderr log and progress (off when quiet or not a terminal). */
  const deps = (quiet: boolean, kind: ProgressKind): RunDeps => ({
    now: Date.now,
    random: Math.random,
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    log: stderrLog(quiet),
    progress: createProgress(!quiet && stderrIsTTY, kind, Date.now, inputBytesRead),
    onSignal,
    onUnhandledSignal,
    exitNow: (exit) => process.exit(exit),
    resumeCommand,
    userAgent: `segment-braze/${version} (node ${process.version})`,
  });
  const run = async (task: () => Promise<Report | void>) => {
    code = exitCodeOf(await task());
  };
  const cli = program(run, env, deps);
  try {
    await cli.parseAsync(argv);
  } catch (error) {
    code = report(error, resumeCommand);
  }
  process.exitCode = code;
}

function report(error: unknown, resumeCommand: string): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message (or the help/version text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof DiskFullError) {
    // Raised outside a run's own stop (opening the state, the final save): the last checkpoint holds.
    stderr.write(`Error: ${error.message}.\nThe last checkpoint saved there is still valid: once there is room, run the same command again to resume:\n  ${resumeCommand}\n`);
    return error.exitCode;
  }
  if (error instanceof InterruptedError && stdoutClosed()) {
    // Stopped because the reader of stdout went away (`| head`): not a success (cli.md "Output, report and exit codes").
    stderr.write(`Stopped: stdout was closed before the run ended. ${error.message}\n`);
    return STDOUT_CLOSED;
  }
  if (error instanceof ToolError) {
    const label = error instanceof UsageError ? 'Usage error: ' : error instanceof InterruptedError ? '' : 'Error: ';
    stderr.write(`${label}${error.message}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? error.message : String(error);
  stderr.write(`Internal error: ${text}\nPlease report it with the command you ran.\n`);
  return 1;
}

await main(process.argv);
