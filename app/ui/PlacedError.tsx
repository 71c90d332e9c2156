import { useShallow } from 'zustand/react/shallow';
import { dismissError, dismissRunError } from '../store/actions';
import { useLens, type ErrorPlace } from '../store/lensStore';
import { ErrorNote } from './ErrorNote';

/**
 * The errors that belong to one control, shown beside it: the interface's own (`where`), and for
 * `run` the worker's error of the ERGO run started there (a fine turn's shows by its own button, a
 * comparison's in its row of the cost table).
 */
export function PlacedError({ where }: { where: ErrorPlace }) {
  const { ui, run } = useLens(
    useShallow((s) => ({
      ui: s.error?.where === where ? s.error : null,
      run: where === 'run' && s.run?.kind !== 'fine' ? (s.run?.error ?? null) : null,
    })),
  );
  return (
    <>
      {ui && <ErrorNote testId="error" error={ui} onDismiss={dismissError} />}
      {run && <ErrorNote testId="run-error" error={run} onDismiss={dismissRunError} />}
    </>
  );
}
