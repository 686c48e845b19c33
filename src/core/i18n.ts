// The one message catalogue: every user-facing string, in zh-CN and en, looked up by key.
import { common } from './messages/common.js';
import { media } from './messages/media.js';
import { cliText } from './messages/cli.js';
import { analysis } from './messages/analysis.js';
import { batch } from './messages/batch.js';
import { relayServer } from './messages/relay-server.js';
import { relay } from './messages/relay.js';
import { dashboard } from './messages/dashboard.js';
import { activity } from './messages/activity.js';
import { cascade } from './messages/cascade.js';
import { assign } from './messages/assign.js';
import { publish } from './messages/publish.js';
import { discovery } from './messages/discovery.js';
import { docs } from './messages/docs.js';
import { docCli } from './messages/doc-cli.js';
import { notices } from './messages/notices.js';

export type Lang = 'zh' | 'en';
type Entry = { readonly en: string; readonly zh: string };

const catalogue = { ...common, ...media, ...cliText, ...analysis, ...batch, ...relayServer, ...relay, ...activity, ...cascade, ...assign, ...publish, ...discovery, ...notices, ...docs, ...docCli, ...dashboard } satisfies Record<string, Entry>;
export type MessageKey = keyof typeof catalogue;
export type MessageParams = Record<string, string | number>;

let current: Lang = langFromEnv(process.env);

export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const v = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(v) ? 'zh' : 'en';
}

export function setLang(lang: Lang): void {
  current = lang;
}

export function getLang(): Lang {
  return current;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogue, key);
}

/** Localised text for `key` with `{name}` placeholders filled from params. */
export function t(key: MessageKey, params: MessageParams = {}, lang: Lang = current): string {
  const entry: Entry = catalogue[key];
  return entry[lang].replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : m,
  );
}
