/**
 * `npm run bench [section...]`: prints numbers and ratios against references measured in the same
 * run. Sections: resize (core resampler vs Pillow), engine (ERGO vs the direct baseline in Chromium),
 * shell (first-visit size and paint), results (the results browser with 2,000 samples), cancel
 * (per-token cost of the two ways a cancel is read), real (a 2B-dimension model on wasm: load peak
 * memory, first token and decode speed against plain transformers.js).
 */
import { benchCancel } from './cancel';
import { benchEngine } from './engine';
import { benchRealModel } from './realModel';
import { benchResize } from './resize';
import { benchResults } from './results';
import { benchShell } from './shell';

const SECTIONS: Record<string, () => Promise<void>> = {
  resize: benchResize,
  engine: benchEngine,
  shell: benchShell,
  results: benchResults,
  cancel: benchCancel,
  real: benchRealModel,
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(SECTIONS)) {
  const section = SECTIONS[name];
  if (!section) throw new Error(`unknown bench section "${name}"; known: ${Object.keys(SECTIONS).join(', ')}`);
  await section();
}
