// The adaptation thresholds the unit tests reason with (the shipped ones live in presets/adaptation/default.json).
import { adaptationPresetSchema, type AdaptationPreset } from '../../src/relay/adaptation-preset.js';

export const TEST_PRESET: AdaptationPreset = adaptationPresetSchema.parse({
  name: 'test',
  description: { en: 't', zh: 't' },
  startKbps: 1500,
  layers: { audioOnlyBelowKbps: 80, lowFromKbps: 150, midFromKbps: 350, highFromKbps: 900 },
  hysteresis: { upgradeHoldSeconds: 3, resumeHoldSeconds: 0.5, maxHoldSeconds: 30, failedWithinSeconds: 10 },
  lossBased: { decreaseAboveLoss: 0.1, increaseBelowLoss: 0.02, increasePerSecond: 0.08, decreaseFactor: 0.85, cleanReportsToProbe: 2, minKbps: 30, maxKbps: 20000 },
  rembFreshSeconds: 3,
  red: { aboveLoss: 0.02, offAfterCleanSeconds: 10 },
});
