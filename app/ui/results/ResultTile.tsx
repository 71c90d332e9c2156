import { memo, useEffect, useRef, useState } from 'react';
import type { EvalResultLine } from '../../eval/results';
import { imageBlob, imageKey } from '../../results/images';
import type { DatasetFolder } from '../../results/resultsStore';
import { requestThumbnail } from '../../results/thumbnails';

export const TILE_WIDTH = 208;
export const TILE_HEIGHT = 232;
const THUMB_W = 192;
const THUMB_H = 144;
const SETTLE_MS = 120;

/** Draws the thumbnail letterboxed, the targets (green, dashed) and the predicted crop (accent). */
function paint(canvas: HTMLCanvasElement, line: EvalResultLine, bitmap: ImageBitmap | null): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: W, height: H } = line.image_size;
  const s = Math.min(THUMB_W / W, THUMB_H / H);
  const ox = (THUMB_W - W * s) / 2;
  const oy = (THUMB_H - H * s) / 2;
  ctx.clearRect(0, 0, THUMB_W, THUMB_H);
  ctx.fillStyle = '#8883';
  ctx.fillRect(ox, oy, W * s, H * s);
  if (bitmap) ctx.drawImage(bitmap, ox, oy, W * s, H * s);
  ctx.lineWidth = 2;
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = '#19a34a';
  for (const [x1, y1, x2, y2] of line.targets) ctx.strokeRect(ox + x1 * s, oy + y1 * s, (x2 - x1) * s, (y2 - y1) * s);
  ctx.setLineDash([]);
  const c = line.crop;
  if (c) {
    ctx.strokeStyle = '#ff5a1f';
    ctx.strokeRect(ox + c.x1 * s, oy + c.y1 * s, (c.x2 - c.x1) * s, (c.y2 - c.y1) * s);
  }
}

const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}%`);

/** One result in the grid: its thumbnail with both boxes, outcome, containment and tokens. */
export const ResultTile = memo(function ResultTile({ line, folder, selected, onOpen }: { line: EvalResultLine; folder: DatasetFolder | null; selected: boolean; onOpen: (line: EvalResultLine) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    paint(el, line, null);
    if (!folder) return;
    let live = true;
    let cancel = () => {};
    // Tiles that fly past during a fast scroll never ask for their image.
    const settle = setTimeout(() => {
      const request = requestThumbnail(`${folder.name}/${imageKey(line.image)}`, () => imageBlob(folder, line.image), line.image_size, Math.max(THUMB_W, THUMB_H) * devicePixelRatio);
      cancel = request.cancel;
      request.promise.then(
        (bitmap) => live && paint(el, line, bitmap),
        () => live && setMissing(true),
      );
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(settle);
      cancel();
    };
  }, [line, folder]);
  const label = `${line.category} ${line.id}: ${line.correct ? 'right' : 'wrong'} (${line.pred || 'no letter'} for ${line.label})`;
  return (
    <button
      type="button"
      className={`result-tile ${line.correct ? 'right' : 'wrong'}${selected ? ' selected' : ''}`}
      data-testid="result-tile"
      data-id={line.id}
      aria-pressed={selected}
      aria-label={label}
      onClick={() => onOpen(line)}
    >
      <canvas ref={canvas} width={THUMB_W} height={THUMB_H} aria-hidden="true" />
      <span className="tile-line">
        <strong>{line.correct ? '✓' : '✗'}</strong> {line.pred || '∅'} / {line.label} · {line.category}
      </span>
      <span className="tile-line meta">
        {line.crop ? `box ${pct(line.containment)} of target` : line.box_status === 'baseline' ? 'whole image' : `no box (${line.box_status})`} · {line.vision_tokens} tok
        {missing ? ' · image not found' : ''}
      </span>
    </button>
  );
});
