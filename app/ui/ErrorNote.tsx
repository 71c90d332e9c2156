/** An error beside the control that caused it: what happened, what to do, its code for bug reports, and a way to close it. */
export function ErrorNote({ error, testId, onDismiss }: { error: { readonly code: string; readonly message: string }; testId: string; onDismiss: () => void }) {
  return (
    <div className="error" role="alert" data-testid={testId} data-code={error.code}>
      <span>
        {error.message} <span className="error-code">(code: {error.code})</span>
      </span>
      <button type="button" data-testid={`${testId}-dismiss`} onClick={onDismiss} aria-label="Dismiss the error">
        ×
      </button>
    </div>
  );
}
