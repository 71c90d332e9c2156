import { useEffect, useState } from 'react';
import { cachedModels, deleteCached, type CachedModel } from '../engine/modelCache';
import { mb } from './format';

/**
 * Every Hub model this browser keeps, with its size, each deletable: multi-GB downloads should not
 * sit in storage unseen. Re-read whenever `refreshKey` changes (a load, or a delete elsewhere).
 */
export function CachedModels({ refreshKey, onDeleted }: { refreshKey: unknown; onDeleted: () => void }) {
  const [models, setModels] = useState<CachedModel[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    void cachedModels().then((m) => live && setModels(m));
    return () => {
      live = false;
    };
  }, [refreshKey, version]);
  if (models.length === 0) return null;
  return (
    <details className="cached-models" data-testid="cached-models">
      <summary>
        Cached models: {models.length}, {mb(models.reduce((n, m) => n + m.bytes, 0))}
      </summary>
      <ul>
        {models.map((m) => (
          <li key={m.repo} data-testid="cached-model">
            {m.repo}: {m.files} files, {mb(m.bytes)}{' '}
            <button
              type="button"
              aria-label={`Delete ${m.repo} from the cache`}
              onClick={() =>
                void deleteCached(m.repo).then(() => {
                  setVersion((v) => v + 1);
                  onDeleted();
                })
              }
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
