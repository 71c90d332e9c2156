import { useEffect, useState } from 'react';
import { checkDevice, type DeviceFacts } from '../../pipeline/deviceCheck';
import type { ModelEntry } from '../../pipeline/registry';

const VERDICT_WORDS = { fits: 'Fits this device', 'wasm-only': 'Fits on wasm only', 'too-large': 'Too large here' } as const;

interface Probe {
  readonly gpu: DeviceFacts['gpu'];
  readonly storage: DeviceFacts['storage'];
  readonly deviceMemoryGb: number | null;
  readonly persisted: boolean | null;
}

/** What this browser says about itself: adapter limits and features, storage quota, memory. */
async function probeDevice(): Promise<Probe> {
  type Adapter = { features: ReadonlySet<string>; limits: { maxBufferSize: number; maxStorageBufferBindingSize: number } };
  const nav = navigator as Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> }; deviceMemory?: number };
  const adapter = await nav.gpu?.requestAdapter().catch(() => null);
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  const persisted = (await navigator.storage?.persisted?.().catch(() => null)) ?? null;
  return {
    gpu: adapter ? { shaderF16: adapter.features.has('shader-f16'), maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize } : null,
    storage: estimate && typeof estimate.quota === 'number' ? { quota: estimate.quota, usage: estimate.usage ?? 0 } : null,
    deviceMemoryGb: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null,
    persisted,
  };
}

/** The device check of a downloadable model: fits / fits on wasm only / too large here, and why. */
export function DeviceCheck({ entry, cachedBytes }: { entry: ModelEntry; cachedBytes: number }) {
  const [probe, setProbe] = useState<Probe | null>(null);
  useEffect(() => {
    let live = true;
    void probeDevice().then((p) => live && setProbe(p));
    return () => {
      live = false;
    };
  }, []);
  // Built-in models always fit; a server's model never touches this device.
  if (entry.builtIn || entry.source.kind === 'server') return null;
  if (!probe) return <p className="meta" data-testid="device-check" data-verdict="pending">Checking this device…</p>;
  const check = checkDevice(entry, { ...probe, cachedBytes });
  return (
    <div className={`device-check ${check.verdict}`} data-testid="device-check" data-verdict={check.verdict}>
      <strong>{VERDICT_WORDS[check.verdict]}</strong>
      <ul>
        {check.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
        <li>
          {probe.persisted ? 'Storage is persistent: the browser keeps the download.' : 'Storage is not persistent yet: loading asks the browser to keep the download, so it is not evicted and fetched again.'} An
          interrupted download restarts the file it was on; finished files stay cached.
        </li>
      </ul>
    </div>
  );
}
