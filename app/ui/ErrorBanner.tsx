import { PlacedError } from './PlacedError';

/** Errors with no control of their own (a share link's), at the top of the page. */
export function ErrorBanner() {
  return (
    <div className="error-slot" aria-live="assertive">
      <PlacedError where="link" />
    </div>
  );
}
