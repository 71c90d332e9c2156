import { useEffect } from 'react';
import { findModel } from '../engine/registry';
import { useLens } from '../store/lensStore';

/** `?model=<registry id>` and `?backend=wasm|webgpu|auto` preselect the model panel; anything else is reported, not used. */
export function useUrlPreselection(): void {
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const model = params.get('model');
    const backend = params.get('backend');
    const problems: string[] = [];
    if (model !== null) {
      if (findModel(model)) useLens.setState({ modelId: model });
      else problems.push(`unknown model "${model.slice(0, 80)}"`);
    }
    if (backend !== null) {
      if (backend === 'wasm' || backend === 'webgpu' || backend === 'auto') useLens.setState({ backend });
      else problems.push(`unknown backend "${backend.slice(0, 40)}" (use wasm, webgpu or auto)`);
    }
    if (problems.length) useLens.setState({ error: { code: 'bad-link', message: `This link has ${problems.join(' and ')}; the defaults are used instead.` } });
  }, []);
}
