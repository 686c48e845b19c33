// Errors are classified by who must act; ONE function maps the class to an exit code.
import { isMessageKey, t, type MessageKey, type MessageParams } from './i18n.js';

export type ErrorKind = 'usage' | 'runtime' | 'environment' | 'refused' | 'aborted' | 'bug';

/** Base class: a machine code (also the catalogue key) plus parameters, localised when shown. */
export class JiaoyanError extends Error {
  readonly kind: ErrorKind = 'runtime';
  readonly code: MessageKey;
  readonly params: MessageParams;
  hint?: string;
  /** The command already told the user (e.g. doctor's report): main only sets the exit code. */
  reported = false;

  constructor(code: MessageKey, params: MessageParams = {}, options?: { cause?: unknown; hint?: string; reported?: boolean }) {
    super(t(code, params, 'en'), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.params = params;
    if (options?.hint) this.hint = options.hint;
    if (options?.reported) this.reported = true;
    this.name = new.target.name;
  }

  /** The message in the current language. */
  localised(): string {
    return t(this.code, this.params);
  }
}

/** The user typed something wrong: bad flag, bad value, bad manifest syntax. */
export class UsageError extends JiaoyanError {
  override readonly kind = 'usage' as const;
}

/** The work itself failed at run time: missing input, ffmpeg failed, a batch item failed. */
export class RuntimeError extends JiaoyanError {
  override readonly kind = 'runtime' as const;
}

/** The machine is not set up: ffmpeg missing, port in use, data dir not writable. */
export class EnvironmentError extends JiaoyanError {
  override readonly kind = 'environment' as const;
}

/** The other side said no: wrong code or key, seat full, rate-limited. */
export class RefusedError extends JiaoyanError {
  override readonly kind = 'refused' as const;
}

/** A call on an object that was already closed. */
export class InvalidStateError extends JiaoyanError {
  override readonly kind = 'bug' as const;
  constructor(what: string) {
    super('INVALID_STATE', { what });
  }
}

/** Raised when an AbortSignal stops the work (Ctrl-C, SIGTERM). */
export class AbortedError extends JiaoyanError {
  override readonly kind = 'aborted' as const;
  constructor() {
    super('ABORTED');
  }
}

/**
 * An error reported by another process (the relay) as `{code, message, params}`: keeps the machine code, and is
 * shown in our language when we know the code, else with the remote text.
 */
export function remoteError(kind: 'refused' | 'usage' | 'runtime', code: string, message: string, params: MessageParams = {}): JiaoyanError {
  const Cls = kind === 'refused' ? RefusedError : kind === 'usage' ? UsageError : RuntimeError;
  if (isMessageKey(code)) return new Cls(code, { detail: message, ...params });
  const err = new Cls('REMOTE_ERROR', { detail: message });
  (err as { code: string }).code = code;
  return err;
}

const EXIT_CODES: Record<ErrorKind, number> = { usage: 2, runtime: 1, environment: 3, refused: 4, aborted: 130, bug: 1 };

/** The one mapping from error classes to process exit codes (see CLI.md). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof JiaoyanError) return EXIT_CODES[err.kind];
  return 1;
}

/** Machine code and localised message of any thrown value. */
export function describeError(err: unknown): { code: string; message: string; hint?: string } {
  if (err instanceof JiaoyanError) {
    return { code: err.code, message: err.localised(), ...(err.hint ? { hint: err.hint } : {}) };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: t('INTERNAL', { detail }) };
}
