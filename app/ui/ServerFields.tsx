import { useState } from 'react';
import type { ConnectionCheck } from '../../pipeline/serverConnection';
import { serverApiKey, setServerApiKey, testServer } from '../store/actions';
import { useLens } from '../store/lensStore';

/** How a failed check starts, for the failures the browser hides the cause of. */
const CHECK_LABELS: Readonly<Record<string, string>> = { cors: 'Blocked by CORS: ', 'cors-or-unreachable': 'Blocked by CORS, or no server there: ' };

/** Endpoint, model name and key of an OpenAI-compatible server, and "Test connection". */
export function ServerFields() {
  const server = useLens((s) => s.server);
  const [key, setKey] = useState(serverApiKey);
  const [check, setCheck] = useState<ConnectionCheck | 'testing' | null>(null);
  const set = (patch: Partial<typeof server>) => useLens.setState({ server: { ...server, ...patch } });
  return (
    <>
      <label htmlFor="server-endpoint">Endpoint (API base URL)</label>
      <input id="server-endpoint" data-testid="server-endpoint" value={server.endpoint} placeholder="http://127.0.0.1:8008/v1" onChange={(e) => set({ endpoint: e.target.value })} />
      <label htmlFor="server-model">Model name (the server's served model name)</label>
      <input id="server-model" data-testid="server-model" value={server.model} placeholder="ergo" onChange={(e) => set({ model: e.target.value })} />
      <label htmlFor="server-api-key">API key (optional; kept in this tab only)</label>
      <input
        id="server-api-key"
        data-testid="server-api-key"
        type="password"
        autoComplete="off"
        value={key}
        onChange={(e) => {
          setKey(e.target.value);
          setServerApiKey(e.target.value);
        }}
      />
      <button
        type="button"
        data-testid="server-test"
        disabled={!server.endpoint.trim() || check === 'testing'}
        onClick={() => {
          setCheck('testing');
          void testServer().then(setCheck);
        }}
      >
        Test connection
      </button>
      <p className="meta" data-testid="server-status" aria-live="polite">
        {check === 'testing'
          ? 'Testing…'
          : check === null
            ? 'Nothing is sent to the server until you test the connection or run.'
            : check.ok
              ? `Connected. Models: ${check.models.join(', ') || 'none'}.${server.model.trim() && !check.models.includes(server.model.trim()) ? ` "${server.model.trim()}" is not among them.` : ''}`
              : `${CHECK_LABELS[check.code] ?? ''}${check.message}`}
      </p>
      {check !== 'testing' && check !== null && !check.ok && check.code === 'cors-or-unreachable' && check.url && (
        <a className="meta" data-testid="server-open-url" href={check.url} target="_blank" rel="noopener noreferrer">
          Open {check.url} in a new tab
        </a>
      )}
    </>
  );
}
