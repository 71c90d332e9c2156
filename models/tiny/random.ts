/**
 * Deterministic weights: each tensor draws from its own stream, seeded by the model seed and the
 * tensor's name, so adding a tensor never changes the others. Only integer arithmetic and exact
 * float operations are used, so every machine produces the same bytes.
 */

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: a small 32-bit generator, uniform in [0, 1). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` values uniform in `[center - spread, center + spread)` for tensor `name`. */
export function uniform(seed: number, name: string, count: number, spread: number, center = 0): Float32Array {
  const next = generator(seed ^ fnv1a(name));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = center + (next() * 2 - 1) * spread;
  return out;
}
