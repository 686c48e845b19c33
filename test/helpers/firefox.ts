// Debian's Firefox ESR driven over WebDriver BiDi (the W3C protocol Firefox speaks natively), for the join page's
// Firefox tests. playwright-core's BiDi mode needs commands this Firefox lacks, so this is a small client of our
// own: launch with a throw-away profile (fake camera and microphone, loopback ICE), open a page, evaluate script.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

export const FIREFOX = '/usr/bin/firefox-esr';

/** How often `until` looks again; how long a closing Firefox gets before it is killed. */
const POLL_MS = 100;
const KILL_AFTER_MS = 5000;

const PREFS: Record<string, boolean | number | string> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'remote.active-protocols': 1,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'intl.accept_languages': 'zh-CN, zh',
};

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(err: Error): void;
}

export class Firefox {
  readonly #child: ChildProcess;
  readonly #ws: WebSocket;
  readonly #profile: string;
  readonly #pending = new Map<number, Pending>();
  #id = 0;

  private constructor(child: ChildProcess, ws: WebSocket, profile: string) {
    this.#child = child;
    this.#ws = ws;
    this.#profile = profile;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; type: string; result?: Record<string, unknown>; error?: string; message?: string };
      if (m.id === undefined) return;
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.type === 'error') p?.reject(new Error(`${m.error}: ${m.message}`));
      else p?.resolve(m.result ?? {});
    });
  }

  static async launch(): Promise<Firefox> {
    const profile = mkdtempSync(join(tmpdir(), 'jiaoyan-firefox-'));
    writeFileSync(join(profile, 'user.js'), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
    const child = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
    });
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr! });
      lines.on('line', (line) => {
        const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`firefox exited (${code}) before listening`)));
    });
    const ws = new WebSocket(`${url}/session`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const ff = new Firefox(child, ws, profile);
    await ff.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
    return ff;
  }

  send(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** A new tab at `url` (loaded). */
  async open(url: string): Promise<FirefoxPage> {
    const { context } = (await this.send('browsingContext.create', { type: 'tab' })) as { context: string };
    await this.send('browsingContext.navigate', { context, url, wait: 'complete' });
    return new FirefoxPage(this, context);
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null) resolve();
      else this.#child.once('exit', () => resolve());
    });
    try {
      await Promise.race([this.send('browser.close', {}), exited]);
    } catch {
      // already closing
    }
    this.#ws.close();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
    rmSync(this.#profile, { recursive: true, force: true });
  }
}

export class FirefoxPage {
  readonly #ff: Firefox;
  readonly #context: string;

  constructor(ff: Firefox, context: string) {
    this.#ff = ff;
    this.#context = context;
  }

  /** Evaluate an async function body in the page; its return value comes back through JSON. */
  async run<T>(body: string): Promise<T> {
    const r = (await this.#ff.send('script.evaluate', {
      expression: `(async () => JSON.stringify(await (async () => { ${body} })()))()`,
      target: { context: this.#context },
      awaitPromise: true,
      resultOwnership: 'none',
    })) as { type: string; result?: { value?: string }; exceptionDetails?: { text?: string } };
    if (r.type !== 'success') throw new Error(`script failed: ${r.exceptionDetails?.text ?? JSON.stringify(r)}`);
    const text = r.result?.value;
    return (text === undefined ? undefined : JSON.parse(text)) as T;
  }

  /** Poll `body` (every POLL_MS) until it returns a truthy value, or fail after `timeoutMs`; returns it. */
  async until<T>(body: string, what: string, timeoutMs = 30_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.run<T>(body);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out in Firefox waiting for ${what} (last: ${JSON.stringify(v)})`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

/** Page script: the sum of one stat field on the join page's publish or subscribe connection. */
export function statScript(pc: 'publish' | 'subscribe', type: string, kind: string, field: string): string {
  return `const conn = window.__jiaoyan.pcs[${JSON.stringify(pc)}];
    if (!conn) return 0;
    let sum = 0;
    (await conn.getStats()).forEach((s) => {
      if (s.type === ${JSON.stringify(type)} && s.kind === ${JSON.stringify(kind)} && typeof s[${JSON.stringify(field)}] === 'number') sum += s[${JSON.stringify(field)}];
    });
    return sum;`;
}
