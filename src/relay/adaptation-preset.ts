// Per-viewer adaptation thresholds are data: presets/adaptation/<name>.json, validated here. They drive the
// downlink estimator (loss-based, REMB when the viewer sends it), the layer chooser and audio redundancy (RED).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';

const kbps = z.number().positive();
const fraction = z.number().min(0).max(1);
const seconds = z.number().min(0);

export const adaptationPresetSchema = z.object({
  name: z.string().min(1),
  description: z.object({ en: z.string(), zh: z.string() }),
  /** A new viewer's estimate before any report: the school LAN is the common case, a bad link shows within a report. */
  startKbps: kbps,
  layers: z
    .object({
      /** Video to the viewer pauses below this (audio goes on). */
      audioOnlyBelowKbps: kbps,
      /** Video (the low layer) resumes from here; between the two the viewer keeps what it has. */
      lowFromKbps: kbps,
      midFromKbps: kbps,
      highFromKbps: kbps,
    })
    .refine((l) => l.audioOnlyBelowKbps <= l.lowFromKbps && l.lowFromKbps < l.midFromKbps && l.midFromKbps < l.highFromKbps, {
      message: 'thresholds must rise: audioOnlyBelow ≤ lowFrom < midFrom < highFrom',
    }),
  hysteresis: z.object({
    /** An upgrade (low → mid → high) waits until the estimate has stayed above the next threshold this long. */
    upgradeHoldSeconds: seconds,
    /** Resuming paused video waits this long (after the estimate says the low layer fits). */
    resumeHoldSeconds: seconds,
    /** Each failed upgrade doubles its wait, up to this. */
    maxHoldSeconds: seconds,
    /**
     * The longest wait before paused video is tried again (default: maxHoldSeconds). Short is safe: a paused
     * viewer is only tried again after clean reports, which a link still losing packets rarely gives.
     */
    maxResumeHoldSeconds: seconds.optional(),
    /** An upgrade undone within this long counts as failed. */
    failedWithinSeconds: seconds,
  }),
  lossBased: z.object({
    /** Receiver-reported loss above this lowers the estimate: min(estimate, delivered rate) × decreaseFactor. */
    decreaseAboveLoss: fraction,
    /** Loss below this lets the estimate grow by increasePerSecond (in between it holds: GCC's loss-based rule). */
    increaseBelowLoss: fraction,
    increasePerSecond: z.number().min(0),
    decreaseFactor: z.number().positive().max(1),
    /** Paused video learns nothing from a clean link: after this many clean reports in a row the estimate is raised to lowFromKbps (a probe). */
    cleanReportsToProbe: z.number().int().positive(),
    minKbps: kbps,
    maxKbps: kbps,
  }),
  /** A REMB (the viewer's own, delay-based estimate) counts for this long. */
  rembFreshSeconds: seconds,
  red: z.object({
    /** Audio goes out with RFC 2198 redundancy (the previous packet repeated) once the viewer reports this much loss… */
    aboveLoss: fraction,
    /** …until its reports have stayed below it this long. */
    offAfterCleanSeconds: seconds,
  }),
});
export type AdaptationPreset = z.infer<typeof adaptationPresetSchema>;

/** Read and validate presets/adaptation/<name>.json (synchronously: once, when the relay starts). */
export function loadAdaptationPreset(name = 'default', dir = join(packageRoot(), 'presets', 'adaptation')): AdaptationPreset {
  const path = join(dir, `${name}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError('PRESET_INVALID', { path, detail: (err as Error).message });
  }
  const r = adaptationPresetSchema.safeParse(parsed);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UsageError('PRESET_INVALID', { path, detail: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}` });
  }
  return r.data;
}

let builtin: AdaptationPreset | undefined;

/** presets/adaptation/default.json, read once. */
export function defaultAdaptationPreset(): AdaptationPreset {
  builtin ??= loadAdaptationPreset();
  return builtin;
}
