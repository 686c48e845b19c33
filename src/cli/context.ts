// What every command receives besides its own options.
import type { Output } from './output.js';

export interface CliContext {
  readonly out: Output;
  readonly dataDir: string;
  /** Aborted on Ctrl-C / SIGTERM: commands stop their children and clean up. */
  readonly signal: AbortSignal;
}
