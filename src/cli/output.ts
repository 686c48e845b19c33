// One place decides how results reach the user: JSON/NDJSON on stdout with --json, human text otherwise.
// Diagnostics and progress always go to stderr.
import { describeError } from '../core/errors.js';
import { t } from '../core/i18n.js';

export interface Output {
  readonly json: boolean;
  /** Whether stderr is a terminal (live progress views). */
  readonly tty: boolean;
  /** A command's single result: one JSON object, or the human text. */
  result(data: object, human: () => string): void;
  /** One event of a stream: an NDJSON line with --json, else the human text (if any) on stdout. */
  event(data: { event: string } & Record<string, unknown>, human?: () => string): void;
  /** Diagnostics for people: stderr. */
  info(text: string): void;
  error(err: unknown): void;
  /** A live percentage on a terminal (nothing with --json or off a TTY); call `progress.end()` when done. */
  readonly progress: { update(percent: number): void; end(): void };
}

export function createOutput(json: boolean, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const live = !json && !!stderr.isTTY;
  let shown = -1;
  return {
    progress: {
      update(percent) {
        const pct = Math.floor(percent);
        if (!live || pct === shown) return;
        shown = pct;
        stderr.write(`\r${pct}%`);
      },
      end() {
        if (live && shown >= 0) stderr.write('\r    \r');
        shown = -1;
      },
    },
    json,
    tty: !!stderr.isTTY,
    result(data, human) {
      stdout.write(json ? JSON.stringify(data) + '\n' : human() + '\n');
    },
    event(data, human) {
      if (json) stdout.write(JSON.stringify(data) + '\n');
      else if (human) stdout.write(human() + '\n');
    },
    info(text) {
      stderr.write(text + '\n');
    },
    error(err) {
      const d = describeError(err);
      if (json) {
        stdout.write(JSON.stringify({ event: 'error', code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) }) + '\n');
      } else {
        stderr.write(`jiaoyan: ${t('error_prefix')}: ${d.message}\n`);
        if (d.hint) stderr.write(`  ${t('hint_prefix')}: ${d.hint}\n`);
      }
    },
  };
}
