// Root of `jiaoyan status`: reads the live session snapshot, handles the keys (host controls when given a
// SessionControls), and shows each action's result as the notice line. Rendering is SessionDashboard's.
import { useEffect, useRef, useState } from 'react';
import { render, Text, useApp, useInput, useStdin, useStdout, type Key } from 'ink';
import type { SessionControls, SessionSnapshot } from '../core/dashboard.js';
import type { Translate } from './BatchProgress.js';
import { SessionDashboard } from './SessionDashboard.js';
import type { SnapshotSource } from './snapshot-store.js';
import { useSnapshot } from './use-snapshot.js';
import { truncate } from './text-width.js';

export interface StatusAppProps {
  readonly store: SnapshotSource<SessionSnapshot>;
  readonly t: Translate;
  /** Present when the dashboard holds the host key: enables ↑/↓ v n g r m. */
  readonly controls?: SessionControls;
}

interface UiState {
  /** The highlighted participant, followed by id as the list changes (index as the fallback). */
  readonly selectedId?: string;
  readonly selectedIndex: number;
  readonly help: boolean;
  readonly picker?: { readonly options: readonly string[]; readonly index: number };
  readonly notice?: string;
}

/** Index of the highlighted participant in `s`, or undefined when there is nobody. */
export function selectedIndex(s: SessionSnapshot, selectedId: string | undefined, fallback: number): number | undefined {
  const n = s.participants.length;
  if (n === 0) return undefined;
  const byId = selectedId === undefined ? -1 : s.participants.findIndex((p) => p.peerId === selectedId);
  return byId >= 0 ? byId : Math.max(0, Math.min(fallback, n - 1));
}

/** Venues the host can push: those with a publisher (in list order), then the rundown's. */
export function pushableVenues(s: SessionSnapshot): string[] {
  const out: string[] = [];
  const add = (v: string) => {
    if (!out.includes(v)) out.push(v);
  };
  for (const p of s.participants) if (p.publishing) add(p.venue);
  for (const step of s.rundown.steps) add(step.venue);
  return out;
}

/** What to show for a rejected control: the localised text of a JiaoyanError, else the message. */
function errorText(err: unknown): string {
  if (err instanceof Error) {
    const localised = (err as { localised?: unknown }).localised;
    return typeof localised === 'function' ? String(localised.call(err)) : err.message;
  }
  return String(err);
}

const HOST_KEYS = new Set(['v', 'n', 'g', 'r', 'm', 'R']);

/** The terminal width, following resizes. */
export function useColumns(): number {
  const { stdout } = useStdout();
  const [columns, setColumns] = useState(stdout.columns || 80);
  useEffect(() => {
    const resized = () => setColumns(stdout.columns || 80);
    stdout.on('resize', resized);
    return () => {
      stdout.off('resize', resized);
    };
  }, [stdout]);
  return columns;
}

export function StatusApp({ store, t, controls }: StatusAppProps) {
  const snapshot = useSnapshot(store);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const width = useColumns();
  const [ui, setUi] = useState<UiState>({ selectedIndex: 0, help: false });
  // Keys read and write the state through this ref: two keys arriving before a re-render still see each other.
  const uiRef = useRef(ui);
  const actionSeq = useRef(0);

  const update = (change: (cur: UiState) => UiState) => {
    uiRef.current = change(uiRef.current);
    setUi(uiRef.current);
  };
  const notify = (notice: string) => update((cur) => ({ ...cur, notice }));

  /** Run a control; only the latest action's outcome becomes the notice. */
  const run = (action: () => Promise<void>, done: string) => {
    const seq = ++actionSeq.current;
    notify(t('dash_working'));
    new Promise<void>((resolve) => resolve(action())).then(
      () => {
        if (seq === actionSeq.current) notify(done);
      },
      (err: unknown) => {
        if (seq === actionSeq.current) notify(t('dash_failed', { message: errorText(err) }));
      },
    );
  };

  const onPicker = (input: string, key: Key, picker: NonNullable<UiState['picker']>) => {
    const n = picker.options.length;
    if (key.upArrow || key.downArrow) {
      update((cur) => ({ ...cur, picker: { ...picker, index: (picker.index + (key.downArrow ? 1 : -1) + n) % n } }));
    } else if (key.escape) {
      update(({ picker: _, ...rest }) => rest);
    } else if (key.return) {
      update(({ picker: _, ...rest }) => rest);
      const venue = picker.options[picker.index];
      if (venue !== undefined && controls) run(() => controls.pushVenue(venue), t('dash_pushed', { venue }));
    } else if (input === 'q') {
      exit();
    }
  };

  const onKey = (input: string, key: Key) => {
    if (key.ctrl) return;
    const cur = uiRef.current;
    if (cur.picker) return onPicker(input, key, cur.picker);
    if (input === 'q') return exit();
    if (input === '?') return update((c) => ({ ...c, help: !c.help }));
    if (!key.upArrow && !key.downArrow && !HOST_KEYS.has(input)) return;
    if (!controls) return notify(t('dash_need_host'));
    const s = store.getSnapshot();
    if (!s) return;
    if (input === 'n') return run(() => controls.nextStep(), t('dash_next_done'));
    if (input === 'R') return run(() => controls.record(!s.recording), t(s.recording ? 'dash_record_stopped' : 'dash_record_started'));
    if (input === 'v') {
      const options = pushableVenues(s);
      if (options.length === 0) return notify(t('dash_no_venues'));
      const index = Math.max(0, options.indexOf(s.pendingVenue ?? s.mainVenue ?? ''));
      return update((c) => ({ ...c, picker: { options, index } }));
    }
    const index = selectedIndex(s, cur.selectedId, cur.selectedIndex);
    if (index === undefined) return notify(t('dash_no_selection'));
    if (key.upArrow || key.downArrow) {
      const next = Math.max(0, Math.min(s.participants.length - 1, index + (key.downArrow ? 1 : -1)));
      return update((c) => ({ ...c, selectedId: s.participants[next]!.peerId, selectedIndex: next }));
    }
    const p = s.participants[index]!;
    if (input === 'g') return run(() => controls.grantSeat(p.peerId), t('dash_granted', { name: p.name }));
    if (input === 'r') return run(() => controls.revokeSeat(p.peerId), t('dash_revoked', { name: p.name }));
    if (input === 'm') return run(() => controls.mute(p.peerId, 'audio'), t('dash_muted', { name: p.name }));
  };

  useInput(onKey, { isActive: isRawModeSupported });

  if (!snapshot) return <Text dimColor>{truncate(t('dash_waiting'), width)}</Text>;
  const selected = controls ? selectedIndex(snapshot, ui.selectedId, ui.selectedIndex) : undefined;
  return (
    <SessionDashboard
      snapshot={snapshot}
      t={t}
      width={width}
      help={ui.help}
      {...(selected !== undefined ? { selected } : {})}
      {...(ui.picker ? { prompt: { title: t('dash_prompt_push'), ...ui.picker } } : {})}
      {...(ui.notice !== undefined ? { notice: ui.notice } : {})}
    />
  );
}

export interface LiveView {
  /** Resolves once the view has exited (q, Ctrl-C, or unmount). */
  readonly exited: Promise<void>;
  unmount(): void;
}

export interface StatusViewOptions {
  readonly t: Translate;
  readonly controls?: SessionControls;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
}

/** Show the live session dashboard of `store` until the user quits. */
export function renderStatusApp(store: SnapshotSource<SessionSnapshot>, opts: StatusViewOptions): LiveView {
  const app = render(<StatusApp store={store} t={opts.t} {...(opts.controls ? { controls: opts.controls } : {})} />, {
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    patchConsole: false,
  });
  return { exited: app.waitUntilExit().then(() => undefined), unmount: () => app.unmount() };
}
