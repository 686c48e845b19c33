// Lesson-like recordings made with ffmpeg's lavfi sources for analyze and compare tests: a speech-like
// "voice" (band-passed pink noise pulsing at syllable rate) with silent gaps and a quiet stretch where we
// choose, over a white-noise room floor, with optional hard picture cuts. Cached like every fixture.
import { cached } from './media.js';

export interface LessonSpec {
  readonly duration: number;
  /** [start, end) seconds where the voice stops (only the room noise remains). */
  readonly gaps: readonly (readonly [number, number])[];
  /** [start, end) seconds where the voice is 18 dB quieter. */
  readonly quiet?: readonly [number, number];
  /** Peak amplitude of the room noise (0..1). */
  readonly noise: number;
  /** Seconds at which the picture cuts to a different scene; no video when absent. */
  readonly cuts?: readonly number[];
  readonly audio?: boolean;
}

const SCENES = ['testsrc', 'smptebars', 'color=c=0x336699', 'testsrc2', 'rgbtestsrc', 'color=c=0xcc8844'];

function gateExpression(spec: LessonSpec): string {
  const silent = spec.gaps.map(([a, b]) => `between(t\\,${a}\\,${b - 0.001})`).join('+') || '0';
  const quiet = spec.quiet ? `between(t\\,${spec.quiet[0]}\\,${spec.quiet[1] - 0.001})` : '0';
  return `volume='if(${silent}\\,0\\,if(${quiet}\\,0.125\\,1))':eval=frame`;
}

function videoGraph(spec: LessonSpec, label: string): string {
  const bounds = [0, ...(spec.cuts ?? []), spec.duration];
  const parts: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const d = (bounds[i + 1]! - bounds[i]!).toFixed(3);
    const src = SCENES[i % SCENES.length]!;
    parts.push(`${src}${src.includes('=') ? ':' : '='}s=320x180:r=10:d=${d}[s${i}]`);
  }
  const inputs = parts.map((_, i) => `[s${i}]`).join('');
  return `${parts.join(';')};${inputs}concat=n=${parts.length}:v=1:a=0,format=yuv420p[${label}]`;
}

function audioGraph(spec: LessonSpec, label: string): string {
  const d = spec.duration;
  return [
    `anoisesrc=d=${d}:c=pink:r=48000:a=1,bandpass=f=800:width_type=o:w=2,volume='0.3+0.7*abs(sin(2*PI*2.5*t))':eval=frame,${gateExpression(spec)}[voice]`,
    `anoisesrc=d=${d}:c=white:r=48000:a=${spec.noise}:seed=7[room]`,
    `[voice][room]amix=inputs=2:duration=first,volume=2[${label}]`,
  ].join(';');
}

/** A lesson recording (MP4 with H.264 + AAC, or M4A without cuts, or MP4 without sound). */
export function lessonRecording(spec: LessonSpec): Promise<string> {
  const withAudio = spec.audio !== false;
  const withVideo = spec.cuts !== undefined;
  const graphs: string[] = [];
  const args: string[] = [];
  if (withVideo) graphs.push(videoGraph(spec, 'v'));
  if (withAudio) graphs.push(audioGraph(spec, 'a'));
  args.push('-filter_complex', graphs.join(';'));
  if (withVideo) args.push('-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-pix_fmt', 'yuv420p');
  if (withAudio) args.push('-map', '[a]', '-c:a', 'aac', '-b:a', '96k');
  args.push('-t', String(spec.duration));
  return cached('lesson', withVideo ? '.mp4' : '.m4a', args);
}

/** A short talking-head-like clip for compare: a test picture of a given size, length and rate, with a tone. */
export function compareSource(spec: { width: number; height: number; duration: number; fps: number; audio?: boolean; tone?: number }): Promise<string> {
  const args = ['-f', 'lavfi', '-i', `testsrc=s=${spec.width}x${spec.height}:r=${spec.fps}:d=${spec.duration}`];
  if (spec.audio !== false) args.push('-f', 'lavfi', '-i', `sine=f=${spec.tone ?? 440}:r=48000:d=${spec.duration}`);
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p');
  if (spec.audio !== false) args.push('-c:a', 'aac', '-shortest');
  return cached('compare-src', '.mp4', args);
}
