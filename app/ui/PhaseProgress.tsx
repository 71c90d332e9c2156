import { useEffect, useState } from 'react';
import type { Phase } from '../../pipeline/protocol';

/** The steps before a turn writes anything: each a single runtime call with no progress of its own. */
const SILENT_PHASES: Partial<Record<Phase, string>> = {
  decode: 'Decoding the image',
  resize: 'Resizing the image',
  encode: 'Encoding the image',
  prefill: 'Reading the prompt (prefill)',
};

/** Whether `phase` is one of those steps (the indicator shows only then). */
export const isSilentPhase = (phase: Phase | null): phase is Phase => phase !== null && phase in SILENT_PHASES;

/**
 * An activity bar and the seconds spent in the current step ("Encoding the image… 3.2 s"), so a
 * long encode or prefill on a real model does not look like a hang. The clock restarts with each
 * step (`stepKey` changes).
 */
export function PhaseProgress({ phase, compilingShaders, stepKey, testId }: { phase: Phase; compilingShaders: boolean; stepKey: string; testId: string }) {
  const [elapsedMs, setElapsedMs] = useState(0);
  useEffect(() => {
    const started = performance.now();
    setElapsedMs(0);
    const timer = setInterval(() => setElapsedMs(performance.now() - started), 100);
    return () => clearInterval(timer);
  }, [stepKey]);
  const words = `${SILENT_PHASES[phase]}${compilingShaders ? ' (first run on WebGPU: compiling its shaders too)' : ''}…`;
  return (
    <div className="phase-progress" data-testid={testId} data-phase={phase} role="status">
      <progress aria-label={words} />
      <span>
        {words} {(elapsedMs / 1000).toFixed(1)} s
      </span>
    </div>
  );
}
