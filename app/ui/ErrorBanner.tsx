import { useShallow } from 'zustand/react/shallow';
import { dismissError } from '../store/actions';
import { useLens } from '../store/lensStore';

/** The one place errors are shown, in words a user can act on. */
export function ErrorBanner() {
  const { ui, run } = useLens(useShallow((s) => ({ ui: s.error, run: s.run?.error ?? null })));
  const error = ui ?? run;
  return (
    <div className="error-slot" aria-live="assertive">
      {error && (
        <div className="error" role="alert" data-testid="error" data-code={error.code}>
          <span>{error.message}</span>
          {ui && (
            <button type="button" onClick={dismissError} aria-label="Dismiss the error">
              ×
            </button>
          )}
        </div>
      )}
    </div>
  );
}
