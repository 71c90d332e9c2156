import { StrictMode, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { registerServiceWorker } from './pwa/serviceWorker';
import { App } from './ui/App';
import { ResultsBrowser } from './ui/results/ResultsBrowser';

const onHash = (notify: () => void) => {
  addEventListener('hashchange', notify);
  return () => removeEventListener('hashchange', notify);
};

/** Two pages: the single-run view, and the results browser at `#/results` (a hash, so static hosting needs nothing). */
function Root() {
  const hash = useSyncExternalStore(onHash, () => location.hash);
  return hash.startsWith('#/results') ? <ResultsBrowser /> : <App />;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);

void registerServiceWorker();
