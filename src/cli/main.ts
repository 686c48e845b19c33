// The command line: flags → typed options → library call. Commands lazy-import their modules so
// `jiaoyan --help` stays fast; commands throw, and only this file exits.
import { Command, CommanderError, Option } from 'commander';
import { exitCodeOf, JiaoyanError, UsageError } from '../core/errors.js';
import { langFromEnv, setLang, t, type Lang } from '../core/i18n.js';
import { defaultDataDir } from '../core/paths.js';
import type { CliContext } from './context.js';
import { createOutput, type Output } from './output.js';

interface GlobalOptions {
  lang?: Lang;
  json?: boolean;
  debug?: boolean;
  dataDir?: string;
}

function preScan(argv: readonly string[]): { lang: Lang; json: boolean } {
  let lang = langFromEnv(process.env);
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (i >= 0) {
    const v = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
    if (v === 'zh' || v === 'en') lang = v;
  }
  return { lang, json: argv.includes('--json') };
}

async function context(cmd: Command, out: Output, signal: AbortSignal): Promise<CliContext> {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  if (g.debug) (await import('../core/log.js')).enableDebug();
  return { out, signal, dataDir: g.dataDir ?? defaultDataDir() };
}

type Handler = (ctx: CliContext, args: unknown[], opts: Record<string, unknown>) => Promise<void>;

/** Wrap a lazily imported command module's `run`. */
function lazy(load: () => Promise<{ run: Handler }>, out: Output, signal: AbortSignal) {
  return async (...all: unknown[]) => {
    const cmd = all.at(-1) as Command;
    const opts = all.at(-2) as Record<string, unknown>;
    const args = all.slice(0, -2);
    const { run } = await load();
    await run(await context(cmd, out, signal), args, opts);
  };
}

export function buildProgram(out: Output, signal: AbortSignal): Command {
  const program = new Command('jiaoyan')
    .description(t('cli_description'))
    .version('0.1.0', '-V, --version')
    .addOption(new Option('--lang <lang>', t('opt_lang')).choices(['zh', 'en']))
    .option('--json', t('opt_json'))
    .option('--debug', t('opt_debug'))
    .option('--data-dir <dir>', t('opt_data_dir'))
    .showHelpAfterError()
    .exitOverride();
  const act = (load: () => Promise<{ run: Handler }>) => lazy(load, out, signal);

  program
    .command('doctor')
    .description(t('cmd_doctor'))
    .action(act(() => import('./commands/doctor.js')));

  program
    .command('presets')
    .description(t('cmd_presets'))
    .argument('[action]', 'list | show', 'list')
    .argument('[name]', t('arg_preset_name'))
    .action(act(() => import('./commands/presets.js')));

  const clip = program
    .command('clip')
    .description(t('cmd_clip'))
    .argument('[input]', t('arg_input'))
    .option('--from <time>', t('opt_from'))
    .option('--to <time>', t('opt_to'))
    .option('--from-note <note>', 'cut the moment around a self-review note (see `note list`)')
    .option('--around <seconds>', 'with --from-note: seconds to cut around the note', '30')
    .option('--mode <mode>', t('opt_mode'), 'smart')
    .option('--preset <name>', t('opt_preset'))
    .option('-o, --output <file>', t('opt_output'))
    .option('--teacher <name>', t('opt_teacher'))
    .option('--phase <phase>', t('opt_phase'))
    .option('--subject <subject>', t('opt_subject'))
    .option('--title <title>', t('opt_title'))
    // `clip batch …`: commander parses `clip`'s own options first (taking --mode/--preset even after `batch`)
    // and would demand --from/--to. Hand the shared values down to the subcommand and drop the requirement.
    .hook('preSubcommand', (self, sub) => {
      for (const option of self.options) {
        option.mandatory = false;
        const key = option.attributeName();
        if (self.getOptionValueSource(key) === 'cli' && sub.options.some((o) => o.attributeName() === key)) {
          sub.setOptionValueWithSource(key, self.getOptionValue(key), 'cli');
        }
      }
    })
    .action(act(() => import('./commands/clip.js')));

  clip
    .command('batch')
    .description(t('cmd_clip_batch'))
    .argument('<manifest>', t('arg_manifest'))
    .option('--jobs <n>', t('opt_jobs'))
    .option('--out-dir <dir>', t('opt_out_dir'))
    .option('--mode <mode>', t('opt_mode'), 'smart')
    .option('--preset <name>', t('opt_preset'))
    .action(act(() => import('./commands/batch.js')));

  program
    .command('clips')
    .description(t('cmd_clips'))
    .argument('[action]', 'list', 'list')
    .option('--teacher <name>', t('opt_teacher'))
    .option('--phase <phase>', t('opt_phase'))
    .option('--subject <subject>', t('opt_subject'))
    .action(act(() => import('./commands/clips.js')));

  program
    .command('compare')
    .description(t('cmd_compare'))
    .argument('<inputs...>', t('arg_compare_inputs'))
    .option('--labels <names>', t('opt_labels'))
    .option('--audio <choice>', t('opt_audio'), '1')
    .option('--font <file>', t('opt_font'))
    .option('-o, --output <file>', t('opt_output'))
    .action(act(() => import('./commands/compare.js')));

  program
    .command('analyze')
    .description(t('cmd_analyze'))
    .argument('<input>', t('arg_input'))
    .option('--plot <file>', t('opt_plot'))
    .option('--preset <name>', t('opt_analysis_preset'), 'default')
    .option('--suggest-notes', 'on a recording: add its long pauses and quiet stretches as suggested notes')
    .action(act(() => import('./commands/analyze.js')));

  const relay = program.command('relay').description(t('cmd_relay'));

  relay
    .command('start')
    .description(t('cmd_relay_start'))
    .option('--port <port>', 'HTTPS port', '8443')
    .option('--bind <addr>', 'address to listen on', '0.0.0.0')
    .option('--tls <mode>', 'auto | off', 'auto')
    .option('--cert <file>', 'TLS certificate (PEM)')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--rtc-ports <range>', 'UDP port range for media, e.g. 40000-40199')
    .option('--public-ip <ip>', 'address to announce for media')
    .option('--record-min-free <MB>', 'stop recordings when the disk has less free space than this', '200')
    .option('--upstream <url>', 'upstream relay (cascade)')
    .option('--upstream-token <token>', 'token for the upstream relay')
    .option('--upstream-ca <file>', "the upstream relay's CA (PEM, from its `jiaoyan relay ca`)")
    .option('--no-tui', 'plain log lines even on a terminal')
    .option('--no-announce', t('opt_no_announce'))
    .action(act(() => import('./commands/relay-start.js')));

  relay
    .command('status')
    .description(t('cmd_relay_status'))
    .option('--relay <url>', 'relay URL (default: the one started from this data dir)')
    .option('--token <token>', 'admin token')
    .option('--ca <file>', "relay's CA certificate")
    .action(act(() => import('./commands/relay-status.js')));

  const relayFlags = (c: Command) =>
    c.option('--relay <url>', 'relay URL (default: the one started from this data dir)')
      .option('--token <token>', 'admin token (default: <data-dir>/admin-token)')
      .option('--ca <file>', "relay's CA certificate (default: <data-dir>/tls/ca.pem)");

  relayFlags(
    program
      .command('session')
      .description(t('cmd_session'))
      .argument('<action>', 'start | list | show | end')
      .argument('[ref]', 'session id or invite code')
      .option('--title <title>', 'title')
      .option('--kind <kind>', 'meeting | prep | trial | showcase | lesson')
      .option('--seats <n>', 'interactive seats')
      .option('--venues <list>', 'venues, comma-separated')
      .option('--record', 'record the session'),
  ).action(act(() => import('./commands/session.js')));

  program
    .command('join')
    .description(t('cmd_join'))
    .argument('<target>', 'join URL or invite code')
    .option('--relay <url>', 'relay URL')
    .option('--ca <file>', "relay's CA certificate")
    .option('--name <name>', 'your name')
    .option('--venue <venue>', 'your venue (school)')
    .option('--host-key <key>', 'host key (join as host)')
    .option('--publish <file>', 'publish this media file (takes a seat unless host)')
    .option('--loop', 'repeat the published file')
    .option('--video-codec <codec>', 'vp8 | h264: the codec --publish sends (default vp8)')
    .option('--record <file>', 'record the main venue to a WebM file')
    .option('--duration <seconds>', 'leave after this many seconds')
    .action(act(() => import('./commands/join.js')));

  const sessionFlags = (c: Command) =>
    c.option('--relay <url>', 'relay URL (default: from the join URL, else the one started from this data dir)')
      .option('--ca <file>', "relay's CA certificate (default: <data-dir>/tls/ca.pem)")
      .option('--name <name>', 'your name (shown in the discussion)')
      .option('--venue <venue>', 'your venue (school)');

  sessionFlags(
    program
      .command('status')
      .description(t('cmd_status'))
      .argument('<target>', 'join URL or invite code')
      .option('--host-key <key>', 'host key (enables the host controls)'),
  ).action(act(() => import('./commands/status.js')));

  sessionFlags(
    program
      .command('venue')
      .description(t('cmd_venue'))
      .argument('<action>', 'push | next')
      .argument('<target>', 'join URL or invite code')
      .option('--to <venue>', 'venue to hand the main venue to (push)')
      .requiredOption('--host-key <key>', 'host key'),
  ).action(act(() => import('./commands/venue.js')));

  sessionFlags(
    program
      .command('seat')
      .description(t('cmd_seat'))
      .argument('<action>', 'grant | revoke | mute')
      .argument('<target>', 'join URL or invite code')
      .argument('<who>', 'name, name@venue or peer id')
      .option('--camera', 'mute the camera instead of the microphone')
      .requiredOption('--host-key <key>', 'host key'),
  ).action(act(() => import('./commands/seat.js')));

  sessionFlags(
    program
      .command('chat')
      .description(t('cmd_chat'))
      .argument('<target>', 'join URL or invite code')
      .option('--send <text>', 'post a message')
      .option('--tail', 'follow the discussion until Ctrl-C'),
  ).action(act(() => import('./commands/chat.js')));

  sessionFlags(
    program
      .command('record')
      .description(t('cmd_record'))
      .argument('<action>', 'start | stop')
      .argument('<target>', 'join URL or invite code')
      .requiredOption('--host-key <key>', 'host key'),
  ).action(act(() => import('./commands/record.js')));

  sessionFlags(
    program
      .command('notice')
      .description(t('cmd_notice'))
      .argument('<action>', 'add | list | get')
      .argument('<target>', 'join URL or invite code')
      .argument('[item]', 'add: the audio file (≤ 60 s, ≤ 2 MiB); get: the notice id')
      .option('--host-key <key>', 'host key (add needs it)')
      .option('-o, --output <file>', 'get: write the audio here (default <id>.ogg or <id>.webm)'),
  ).action(act(() => import('./commands/notice.js')));

  // Not sessionFlags: here --name is the document's name; --author is yours.
  program
    .command('doc')
    .description(t('cmd_doc'))
    .argument('<action>', 'import | export | history | list')
    .argument('<target>', 'join URL or invite code')
    .argument('[file]', 'import: the text file (UTF-8)')
    .option('--name <doc>', 'document name: a-z, 0-9, - (default plan)')
    .option('--host-key <key>', 'host key (import needs it)')
    .option('-o, --output <file>', 'export: write the text to this file instead of stdout')
    .option('--at <rev>', 'export: the text at this revision (see `doc history`)')
    .option('--author <name>', 'your name, as the history shows it (default jiaoyan@<host>)')
    .option('--venue <venue>', 'your venue (school)')
    .option('--relay <url>', 'relay URL (default: from the join URL, else the one started from this data dir)')
    .option('--ca <file>', "relay's CA certificate (default: <data-dir>/tls/ca.pem)")
    .action(act(() => import('./commands/doc.js')));

  relayFlags(
    program
      .command('library')
      .description(t('cmd_library'))
      .argument('[action]', 'list | show | approve | reject | publish | repair | token', 'list')
      .argument('[id]', 'recording id (or a unique prefix); for token: create | list | revoke')
      .option('--teacher <name>', 'only this teacher')
      .option('--subject <subject>', 'only this subject')
      .option('--state <state>', 'pending | approved | rejected | published')
      .option('--from <date>', 'recorded on or after (YYYY-MM-DD)')
      .option('--to <date|url>', 'list: recorded on or before (YYYY-MM-DD); publish: upload to this county relay (then --token and --ca are the county\'s)')
      .option('--preset <name>', 'publish --to: transcode the program with this encode preset first (e.g. lowband-360p)')
      .option('--school <name>', 'token create/revoke: the school; publish --to with the county admin token: the sending school')
      .addOption(new Option('--chunk-size <bytes>', 'publish --to: bytes per chunk (default 4 MiB)').hideHelp())
      .option('--reason <text>', 'why it is rejected'),
  ).action(act(() => import('./commands/library.js')));

  // `assign <recording> --to … --due …`, `assign status <assignment>`, `assign list`: recording ids are hex, so
  // the words `status` and `list` are never taken for one.
  relayFlags(
    program
      .command('assign')
      .description(t('cmd_assign'))
      .argument('<recording|status|list>', 'a recording id (or a unique prefix) to assign, or status | list')
      .argument('[assignment]', 'assignment id (status)')
      .option('--to <names>', 'who watches it, comma-separated: "张三,李四"')
      .option('--due <when>', 'due: a duration (7d, 36h, 2w) or a date (2026-11-30, ISO time)', '7d')
      .option('--csv', 'status as CSV'),
  ).action(act(() => import('./commands/assign.js')));

  program
    .command('note')
    .description(t('cmd_note'))
    .argument('<action>', 'add | list | export')
    .argument('[recording]', 'recording id (or a unique prefix)')
    .argument('[text...]', 'the note (add)')
    .option('--at <time>', 'moment of the lesson, e.g. 12:30')
    .option('--tag <tag>', 'posture | voice | pace | courseware | other')
    .option('--format <format>', 'md | csv (export)', 'md')
    .option('-o, --output <file>', 'write the export here')
    .action(act(() => import('./commands/note.js')));

  relay
    .command('ca')
    .description(t('cmd_relay_ca'))
    .option('--out <file>', t('opt_ca_out'))
    .action(act(() => import('./commands/relay-ca.js')));

  relay
    .command('list')
    .description(t('cmd_relay_list'))
    .option('--timeout <ms>', t('opt_discover_timeout'), '1500')
    .action(act(() => import('./commands/relay-list.js')));

  return program;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const pre = preScan(argv);
  setLang(pre.lang);
  const out = createOutput(pre.json);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    controller.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const program = buildProgram(out, controller.signal);
  program.configureOutput({
    outputError: (str, write) => {
      if (!pre.json) write(str);
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (pre.json) out.error(new UsageError('USAGE', { detail: err.message.replace(/^error: /, '') }));
      return 2;
    }
    if (!(err instanceof JiaoyanError && err.reported)) out.error(err);
    return exitCodeOf(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

