/**
 * High-resolution sample scenes drawn in the browser from a seed: large, mostly plain images with
 * small text and small objects, the kind of detail a downsampled view loses and ERGO's crop finds.
 * Nothing is downloaded; the same seed always draws the same pixels (given the same fonts).
 *
 * The first ones come from the scene family the built-in policy `ergo-tiny` was trained on
 * (app/scenes/, pixel-exact, own font); their questions are the family's own for that seed.
 */
import { generateScene, sceneSide } from '../scenes/scene';

export interface SampleScene {
  readonly id: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly questions: readonly string[];
  draw(ctx: OffscreenCanvasRenderingContext2D, random: () => number): void;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function sky(ctx: OffscreenCanvasRenderingContext2D, w: number, h: number, top: string, bottom: string): void {
  const g = ctx.createLinearGradient(0, 0, 0, h);
  g.addColorStop(0, top);
  g.addColorStop(1, bottom);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
}

/** Seeds of the policy's scene family shown as samples (below the training and curve seeds), with open questions. */
export const POLICY_SAMPLES: readonly { readonly seed: number; readonly questions: readonly string[] }[] = [
  { seed: 7, questions: ['What is written on the tag of the blue square?', 'What is written on the tag of the triangle in the bottom left quarter of the image?'] },
  { seed: 3, questions: ['What is written on the tag of the square in the top right quarter of the image?', 'What is written on the tag of the green circle?'] },
  { seed: 12, questions: ['What is written on the tag of the square in the top left quarter of the image?', 'What is written on the tag of the red square?'] },
];

const POLICY_SCALE = 2;

function policyScene({ seed, questions }: (typeof POLICY_SAMPLES)[number]): SampleScene {
  const side = sceneSide(POLICY_SCALE);
  return {
    id: `tags-${seed}`,
    title: `Tagged shapes #${seed} (${side}x${side}; what ERGO tiny was trained on)`,
    width: side,
    height: side,
    questions,
    draw(ctx) {
      const { image } = generateScene(seed, POLICY_SCALE);
      ctx.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
    },
  };
}

export const SAMPLE_SCENES: readonly SampleScene[] = [
  ...POLICY_SAMPLES.map(policyScene),
  {
    id: 'street-4k',
    title: 'Street with a small sign (4K)',
    width: 3840,
    height: 2160,
    questions: ['What does the small green street sign say?', 'What color is the car parked on the right?'],
    draw(ctx, random) {
      const { width: w, height: h } = ctx.canvas;
      sky(ctx, w, h, '#8ec5ff', '#e8f4ff');
      ctx.fillStyle = '#5d6166';
      ctx.fillRect(0, h * 0.72, w, h * 0.28);
      for (let i = 0; i < 14; i++) {
        const bw = 180 + random() * 260;
        const bh = 500 + random() * 900;
        const x = i * (w / 14);
        ctx.fillStyle = `hsl(${Math.floor(random() * 360)}, 25%, ${45 + Math.floor(random() * 25)}%)`;
        ctx.fillRect(x, h * 0.72 - bh, bw, bh);
        ctx.fillStyle = 'rgba(255,255,255,0.5)';
        for (let y = h * 0.72 - bh + 30; y < h * 0.72 - 60; y += 70) for (let k = 20; k < bw - 30; k += 50) ctx.fillRect(x + k, y, 24, 36);
      }
      // The small sign: a post and a green plate with white text, about 1% of the width.
      ctx.fillStyle = '#333';
      ctx.fillRect(2630, 1330, 8, 250);
      ctx.fillStyle = '#0b6e3a';
      ctx.fillRect(2580, 1300, 110, 36);
      ctx.fillStyle = '#fff';
      ctx.font = 'bold 22px sans-serif';
      ctx.fillText('ELM ST', 2593, 1326);
      // A car on the right.
      ctx.fillStyle = '#c81d25';
      ctx.fillRect(3200, 1480, 260, 90);
      ctx.fillRect(3250, 1430, 150, 60);
      ctx.fillStyle = '#111';
      ctx.beginPath();
      ctx.arc(3250, 1575, 28, 0, Math.PI * 2);
      ctx.arc(3410, 1575, 28, 0, Math.PI * 2);
      ctx.fill();
    },
  },
  {
    id: 'shelf-6k',
    title: 'Shelf with tiny labels (6K)',
    width: 6144,
    height: 3456,
    questions: ['What is the price on the blue jar?', 'How many red boxes are on the top shelf?'],
    draw(ctx, random) {
      const { width: w, height: h } = ctx.canvas;
      sky(ctx, w, h, '#f3efe6', '#d9d1c0');
      for (let shelf = 0; shelf < 4; shelf++) {
        const y = 700 + shelf * 750;
        ctx.fillStyle = '#8b5a2b';
        ctx.fillRect(200, y, w - 400, 40);
        for (let i = 0; i < 22; i++) {
          const x = 260 + i * 260;
          const hue = [0, 210, 45, 120][Math.floor(random() * 4)]!;
          const ih = 200 + random() * 350;
          ctx.fillStyle = `hsl(${hue}, 65%, 45%)`;
          ctx.fillRect(x, y - ih, 170, ih);
          ctx.fillStyle = '#fff';
          ctx.fillRect(x + 30, y - 60, 110, 34);
          ctx.fillStyle = '#111';
          ctx.font = '20px sans-serif';
          ctx.fillText(`$${(1 + random() * 20).toFixed(2)}`, x + 40, y - 36);
        }
      }
    },
  },
];

/** The sample with this stable id (what share links carry), or undefined. */
export function findScene(id: string): SampleScene | undefined {
  return SAMPLE_SCENES.find((s) => s.id === id);
}

/** Draws `scene` and encodes it as a PNG file. */
export async function renderScene(scene: SampleScene): Promise<File> {
  const canvas = new OffscreenCanvas(scene.width, scene.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on an OffscreenCanvas');
  scene.draw(ctx, seeded(scene.width ^ scene.height));
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new File([blob], `${scene.id}.png`, { type: 'image/png' });
}
