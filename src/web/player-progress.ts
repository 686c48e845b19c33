// A personal link's progress reports: the video's events feed a WatchTracker, and what was watched goes to the
// relay every few seconds, on pause and at the end, and with navigator.sendBeacon when the page goes away.
// A report that fails is kept and sent again with the next one.
import { WatchTracker } from './watch-tracker.js';
import type { PlayerVideo } from './program-video.js';

/** Seconds between two reports while playing. */
const REPORT_EVERY_MS = 5000;

export interface ProgressAnswer {
  watchedSeconds: number;
  percent: number;
  finished: boolean;
}

export interface ProgressReporter {
  /** Reports answered so far (a test hook). */
  readonly reports: () => number;
  /** Send what is pending now. */
  readonly flush: () => void;
}

export function reportProgress(video: PlayerVideo, url: string, onAnswer: (a: ProgressAnswer) => void): ProgressReporter {
  const tracker = new WatchTracker();
  let inFlight = false;
  let again = false;
  let answered = 0;

  const flush = (): void => {
    if (inFlight) {
      again = true;
      return;
    }
    if (!tracker.hasPending) return;
    const ranges = tracker.take();
    inFlight = true;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ranges }) })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        answered++;
        onAnswer((await res.json()) as ProgressAnswer);
      })
      .catch(() => tracker.giveBack(ranges))
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          flush();
        }
      });
  };

  const here = () => {
    if (!video.seeking) tracker.at(video.currentTime);
  };
  video.addEventListener('timeupdate', () => {
    if (!video.paused) here();
  });
  // Playback (re)starts here: the span begins now, not at the first timeupdate a quarter second later.
  video.addEventListener('playing', here);
  video.addEventListener('seeking', () => tracker.break());
  video.addEventListener('pause', () => {
    here();
    flush();
  });
  video.addEventListener('ended', () => {
    here();
    flush();
  });
  window.setInterval(() => {
    if (!video.paused) flush();
  }, REPORT_EVERY_MS);
  // Leaving the page: a beacon outlives it (text/plain, which the relay reads as JSON).
  window.addEventListener('pagehide', () => {
    here();
    if (tracker.hasPending) navigator.sendBeacon(url, JSON.stringify({ ranges: tracker.take() }));
  });
  return { reports: () => answered, flush };
}
