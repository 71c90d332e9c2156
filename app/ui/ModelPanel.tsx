import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { cachedFiles, deleteCached, type CacheReport } from '../engine/modelCache';
import { CachedModels } from './CachedModels';
import { DeviceCheck } from './DeviceCheck';
import { wasmFit } from '../../pipeline/deviceCheck';
import { MODEL_REGISTRY, findModel } from '../../pipeline/registry';
import { dismissLoadError, loadModel, pickModelFolder, selectModel } from '../store/actions';
import { probeGpu } from '../../pipeline/gpuProbe';
import type { PendingLoad } from '../store/loadState';
import { ErrorNote } from './ErrorNote';
import { PlacedError } from './PlacedError';
import { ServerFields } from './ServerFields';
import { useLens } from '../store/lensStore';
import type { BackendPreference } from '../../pipeline/protocol';
import { mb } from './format';

/** The adapter's description once one was granted, false when none was, null while asking. */
function useGpuAvailability(): string | false | null {
  const [found, setFound] = useState<string | false | null>(null);
  useEffect(() => {
    let live = true;
    void probeGpu().then((p) => live && setFound(p.adapter?.description ?? false));
    return () => {
      live = false;
    };
  }, []);
  return found;
}

const percent = (loaded: number, total: number) => (total > 0 ? ` (${Math.round((100 * loaded) / total)}%)` : '');

/** What the load is doing now, in words: the silent steps before and after the download included. */
function loadPhaseWords(pending: PendingLoad): string {
  const { total, phase } = pending;
  if (!phase) return "Reading the model's configuration and tokenizer…";
  if (phase.step === 'download') return 'Downloading the model files…';
  // Without a file: every file was fetched first, and the sessions are built together.
  return phase.file
    ? `Creating the inference session for ${phase.file}: the runtime prepares the downloaded file, which takes a while for a large one…`
    : `Download complete${total ? ` (${mb(total.total)})` : ''}. Creating the inference sessions: the runtime prepares each model file, which takes a while for a large model…`;
}

function LoadProgress({ pending }: { pending: PendingLoad }) {
  const { total } = pending;
  return (
    <div className="progress">
      <p className="meta" data-testid="load-phase" data-phase={pending.phase?.step ?? 'config'}>
        {loadPhaseWords(pending)}
      </p>
      <progress data-testid="load-progress" max={total?.total || 1} value={total?.loaded ?? 0} />
      {total && (
        <p className="meta" data-testid="load-total">
          {mb(total.loaded)} of {mb(total.total)}
          {percent(total.loaded, total.total)}
        </p>
      )}
      <ul className="files" data-testid="load-files">
        {Object.entries(pending.files).map(([file, p]) => (
          <li key={file}>
            {file}: {p.done ? `${mb(p.total || p.loaded)}, downloaded` : p.total ? `${mb(p.loaded)} of ${mb(p.total)}${percent(p.loaded, p.total)}` : '…'}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Model choice, size, cache state, download progress and the backend that runs it. */
export function ModelPanel() {
  const { modelId, backend, hubRepo, folder, load } = useLens(useShallow((s) => ({ modelId: s.modelId, backend: s.backend, hubRepo: s.hubRepo, folder: s.folder, load: s.load })));
  const entry = findModel(modelId);
  const repo = entry?.source.kind === 'hub' ? entry.source.repo : entry?.source.kind === 'user' ? hubRepo.trim() : null;
  const { current, pending, error } = load;
  const [cache, setCache] = useState<CacheReport | null>(null);
  useEffect(() => {
    if (repo) void cachedFiles(repo).then(setCache);
    else setCache(null);
  }, [repo, current, pending]);

  const labelOf = (id: string) => findModel(id)?.label ?? id;
  const wasm = entry ? wasmFit(entry) : ({ ok: true } as const);
  const gpu = useGpuAvailability();
  return (
    <section className="panel" aria-labelledby="model-heading">
      <h2 id="model-heading">Model</h2>
      <label htmlFor="model-select">Model</label>
      <select id="model-select" data-testid="model-select" value={modelId} onChange={(e) => selectModel(e.target.value)}>
        {MODEL_REGISTRY.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
          </option>
        ))}
      </select>
      {entry?.randomWeights && (
        <p className="warn" data-testid="random-weights-note">
          Test model with random weights: it exercises the real pipeline, but its answers are noise.
        </p>
      )}
      {entry?.knows && (
        <p className="meta" data-testid="model-knows-note">
          {entry.knows}
        </p>
      )}
      {entry?.source.kind === 'server' && <ServerFields />}
      {entry?.source.kind === 'user' && (
        <>
          <label htmlFor="hub-repo">Hub repo id (owner/name)</label>
          <input id="hub-repo" value={hubRepo} placeholder="owner/ERGO-7B-ONNX" onChange={(e) => useLens.setState({ hubRepo: e.target.value, folder: null })} />
          <label className="file-label">
            or pick a model folder
            <input type="file" data-testid="model-folder" {...{ webkitdirectory: '' }} multiple onChange={(e) => pickModelFolder([...(e.target.files ?? [])])} />
          </label>
          <PlacedError where="model" />
          {folder && <p className="meta">Folder "{folder.name}": {folder.files.length} files.</p>}
        </>
      )}
      <p className="meta">
        {entry?.approxBytes ? `Download about ${mb(entry.approxBytes.f32)} (${mb(entry.approxBytes.f16)} with fp16 weights). ` : ''}
        {entry?.builtIn ? 'Built in: served by this site, works offline.' : cache ? `In this browser's cache: ${cache.files} files, ${mb(cache.bytes)}.` : ''}{' '}
        {entry?.licenseUrl && (
          <a href={entry.licenseUrl} target="_blank" rel="noreferrer">
            License
          </a>
        )}
      </p>
      {entry && <DeviceCheck entry={entry} cachedBytes={cache?.bytes ?? 0} />}
      {repo && cache && cache.files > 0 && (
        <button type="button" onClick={() => void deleteCached(repo).then(() => cachedFiles(repo)).then(setCache)}>
          Delete from cache
        </button>
      )}
      <CachedModels refreshKey={cache} onDeleted={() => repo && void cachedFiles(repo).then(setCache)} />
      <fieldset className="backend">
        <legend>Backend</legend>
        {(['auto', 'webgpu', 'wasm'] as const satisfies readonly BackendPreference[]).map((b) => (
          <label key={b}>
            <input type="radio" name="backend" value={b} data-testid={`backend-${b}`} checked={backend === b} disabled={b === 'wasm' && !wasm.ok} onChange={() => useLens.setState({ backend: b })} />
            {b === 'auto' ? 'Auto' : b === 'webgpu' ? 'WebGPU' : 'wasm (CPU)'}
          </label>
        ))}
        {!wasm.ok && (
          <p className="meta" data-testid="backend-wasm-reason">
            wasm is not offered for {entry?.label ?? 'this model'}: {wasm.reason}.
          </p>
        )}
      </fieldset>
      <button type="button" data-testid="load-model" onClick={loadModel} disabled={pending !== null}>
        {pending ? (pending.cause === 'restart' ? 'Reloading…' : 'Loading…') : current?.modelId === modelId ? 'Loaded' : 'Load model'}
      </button>
      <p className="model-status" data-testid="model-status" aria-live="polite">
        {pending
          ? pending.cause === 'restart'
            ? `Reloading ${labelOf(pending.modelId)}: Stop came while the engine was in a step it cannot leave (loading, encoding or reading the prompt), so it was restarted.`
            : `Loading ${labelOf(pending.modelId)}…${current ? ` ${labelOf(current.modelId)} stays loaded until it is ready.` : ''}`
          : current
            ? `Loaded: ${labelOf(current.modelId)}.`
            : 'No model loaded.'}
      </p>
      {pending && <LoadProgress pending={pending} />}
      {error && (
        <ErrorNote
          testId="model-error"
          error={{ code: error.code, message: `${labelOf(error.modelId)} could not be loaded: ${error.message}${current ? ` ${labelOf(current.modelId)} is still loaded.` : ''}` }}
          onDismiss={dismissLoadError}
        />
      )}
      <p className="backend-indicator" data-testid="backend-indicator">
        {current?.model.backend === 'server'
          ? current.model.backendReason
          : current
          ? `${current.model.backend === 'webgpu' ? `WebGPU (${current.model.adapter ?? 'adapter'})` : `wasm, ${current.model.threads} thread${current.model.threads === 1 ? '' : 's'}`} · ${Object.values(current.model.dtypes).join('/')} · ${current.model.backendReason}`
          : `${gpu === null ? 'Looking for a WebGPU adapter…' : gpu ? `WebGPU adapter available (${gpu}).` : 'No WebGPU adapter in this browser: wasm (CPU) will be used.'} ${globalThis.crossOriginIsolated ? '' : 'Not cross-origin isolated: wasm runs single-threaded.'}`}
      </p>
    </section>
  );
}
