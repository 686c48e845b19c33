// Entry of the join page: language, remembered details, the code from `/j/<code>` and the host key from the
// `#hostKey=` fragment, then the UI, plus a small hook for automated browser tests.
import { JoinClient } from './client.js';
import { codeFromPath, hostKeyFromHash } from './code.js';
import { PageDocs } from './docs.js';
import { pickLang, setLang } from './i18n.js';
import { loadJoinPrefs, loadLang } from './prefs.js';
import { signalingUrl } from './signaling.js';
import { PageUi } from './ui.js';

declare global {
  interface Window {
    __jiaoyan?: unknown;
  }
}

function start(): void {
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  setLang(pickLang(loadLang(), languages));
  const prefs = loadJoinPrefs();
  const code = codeFromPath(location.pathname) ?? prefs.code;
  const client = new JoinClient(signalingUrl(location));
  const root = document.getElementById('app') ?? document.body;
  const docs = new PageDocs(client);
  new PageUi(root, client, { ...prefs, code, hostKey: hostKeyFromHash(location.hash) }, docs);

  window.__jiaoyan = {
    state: () => ({
      joined: client.phase === 'joined',
      phase: client.phase,
      role: client.role,
      peerId: client.peerId,
      publishing: client.publishing,
      mainPeerId: client.mainPeerId,
      participants: client.participants,
      wantPublish: client.wantPublish,
      micOn: client.micOn,
      camOn: client.camOn,
      hand: client.self?.hand ?? false,
      endedReason: client.endedReason,
      localTracks: (client.localStream?.getTracks() ?? []).map((tr) => ({ kind: tr.kind, enabled: tr.enabled, live: tr.readyState === 'live' })),
    }),
    doc: {
      /** The text of an open document (null when this page has not opened it). */
      text: (name: string) => docs.get(name)?.text.toString() ?? null,
      /** The relay has answered the document's latest open (edits reach the others). */
      ready: (name: string) => docs.get(name)?.synced ?? false,
      names: () => docs.names(),
      current: () => docs.current,
    },
    pcs: {
      get publish(): RTCPeerConnection | null {
        return client.publisher?.pc ?? null;
      },
      get subscribe(): RTCPeerConnection | null {
        return client.subscriber?.pc ?? null;
      },
    },
  };
  window.addEventListener('pagehide', () => {
    if (client.phase !== 'idle' && client.phase !== 'ended') client.leave();
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
