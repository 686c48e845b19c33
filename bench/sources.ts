// Realistic sources for the benches, made once with ffmpeg's lavfi sources and cached under .cache/fixtures:
// a lesson-like 720p30 recording with moving pictures, a slide change every minute and speech-like sound
// (phrases with short breaths, a 4 s pause every 50 s) over a room-noise floor.
import { cached } from '../test/helpers/media.js';

const SCENES = ['testsrc2', 'smptehdbars', 'testsrc', 'rgbtestsrc', 'smptebars'];

export interface BenchSource {
  readonly minutes: number;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

/** Seconds where the bench lesson's voice pauses (a 4 s pause every 50 s). */
export function benchPauses(seconds: number): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 20; t + 4 < seconds; t += 50) out.push([t, t + 4]);
  return out;
}

export function lesson720p(spec: BenchSource): Promise<string> {
  const seconds = spec.minutes * 60;
  const w = spec.width ?? 1280;
  const h = spec.height ?? 720;
  const fps = spec.fps ?? 30;
  const parts: string[] = [];
  for (let i = 0; i < spec.minutes; i++) {
    const src = SCENES[i % SCENES.length]!;
    parts.push(`${src}=s=${w}x${h}:r=${fps}:d=60,format=yuv420p,setsar=1[s${i}]`);
  }
  const video = `${parts.join(';')};${parts.map((_, i) => `[s${i}]`).join('')}concat=n=${parts.length}:v=1:a=0[v]`;
  const gaps = benchPauses(seconds).map(([a, b]) => `between(t\\,${a}\\,${b})`).join('+');
  const audio = [
    `anoisesrc=d=${seconds}:c=pink:r=48000:a=1,bandpass=f=800:width_type=o:w=2,volume='0.3+0.7*abs(sin(2*PI*2.5*t))':eval=frame,volume='if(${gaps}+lt(mod(t\\,2.7)\\,0.35)\\,0\\,1)':eval=frame[voice]`,
    `anoisesrc=d=${seconds}:c=white:r=48000:a=0.004:seed=3[room]`,
    '[voice][room]amix=inputs=2:duration=first,volume=2[a]',
  ].join(';');
  return cached(`bench-lesson-${spec.minutes}m-${h}p${fps}`, '.mp4', [
    '-filter_complex', `${video};${audio}`, '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-g', String(fps * 2), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '96k', '-t', String(seconds),
  ]);
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
