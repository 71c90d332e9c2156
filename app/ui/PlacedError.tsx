import { useShallow } from 'zustand/react/shallow';
import { dismissError, dismissRunError } from '../store/actions';
import { useLens, type ErrorPlace } from '../store/lensStore';
import { ErrorNote } from './ErrorNote';

/**
 * The errors that belong to one control, shown beside it: the interface's own (`where`), and for
 * `run` the worker's error of the run or a comparison started from there (a fine turn's shows by its
 * own button).
 */
export function PlacedError({ where }: { where: ErrorPlace }) {
  const { ui, run, baseline } = useLens(
    useShallow((s) => ({
      ui: s.error?.where === where ? s.error : null,
      run: where === 'run' && s.run?.kind !== 'fine' ? (s.run?.error ?? null) : null,
      baseline: where === 'run' ? (Object.values(s.baselines).find((b) => b.error)?.error ?? null) : null,
    })),
  );
  const worker = run ?? baseline;
  return (
    <>
      {ui && <ErrorNote testId="error" error={ui} onDismiss={dismissError} />}
      {worker && <ErrorNote testId="run-error" error={worker} onDismiss={dismissRunError} />}
    </>
  );
}
