import type Konva from 'konva';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Image as KonvaImage, Layer, Rect, Stage, Transformer } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';
import { boxIn, type CoarseBox, type OriginalBox } from '../core/geometry';
import { askAboutRegion, dismissRunError } from '../store/actions';
import { boxAfterKey, BOX_KEYS_HELP } from '../store/boxKeys';
import { useLens } from '../store/lensStore';
import { boxView, refineState } from '../store/selectors';
import { displayLongSide, useDisplayBitmap, useRgbaCanvas } from './bitmaps';
import { BoxFields } from './BoxFields';
import { ErrorNote } from './ErrorNote';
import { useImageDrop } from './ImageInput';
import { SampleButtons } from './SampleGallery';

const MAX_ZOOM = 32;

/**
 * The coarse image exactly as the model saw it with its box (editable), or the original with the
 * mapped box; wheel, buttons and keys zoom, dragging pans.
 */
export function LensCanvas() {
  const picked = useLens(
    useShallow((s) => ({ run: s.run, image: s.image, showOriginal: s.showOriginal, editedBox: s.editedBox, load: s.load, shared: s.shared, settings: s.settings, keptCoarse: s.keptCoarse })),
  );
  const { run, showOriginal } = picked;
  const seen = boxView(picked);
  const { image, box, crop } = seen;
  const host = useRef<HTMLDivElement>(null);
  const drop = useImageDrop();
  const [width, setWidth] = useState(800);
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(320, Math.floor(entry!.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const frame = !image || !seen.coarse ? { width: 16, height: 9 } : showOriginal ? image : seen.coarse;
  const height = Math.round(Math.min(width * (frame.height / frame.width), 0.62 * (typeof innerHeight === 'number' ? innerHeight : 800)));
  const fit = Math.min(width / frame.width, height / frame.height);
  const scale = fit * view.zoom;
  useEffect(() => setView({ zoom: 1, x: 0, y: 0 }), [showOriginal, image]);

  const coarseCanvas = useRgbaCanvas(showOriginal ? null : (run?.coarse ?? null));
  const longSide = image ? displayLongSide(Math.max(image.width, image.height), Math.max(frame.width, frame.height) * scale) : 0;
  const bitmap = useDisplayBitmap(coarseCanvas ? null : (image?.blob ?? null), image?.width ?? 1, image?.height ?? 1, longSide);
  const source = coarseCanvas ?? bitmap;

  // The box in the frame on screen: coarse pixels, or its crop in the original's.
  const shown: CoarseBox | OriginalBox | null = showOriginal ? (crop ? boxIn('original', [crop.x1, crop.y1, crop.x2, crop.y2]) : null) : box;
  const refine = showOriginal ? null : refineState(picked);
  const canAsk = refine?.ok === true;
  const editable = canAsk && !!box;

  const rect = useRef<Konva.Rect>(null);
  const transformer = useRef<Konva.Transformer>(null);
  useEffect(() => {
    if (transformer.current && rect.current) transformer.current.nodes(editable ? [rect.current] : []);
  }, [editable, shown]);

  const commit = () => {
    const node = rect.current;
    if (!node) return;
    const next = boxIn('coarse', [node.x(), node.y(), node.x() + node.width() * node.scaleX(), node.y() + node.height() * node.scaleY()].map((v) => Math.max(0, Math.round(v))));
    node.scale({ x: 1, y: 1 });
    useLens.setState({ editedBox: next });
  };

  const zoomBy = (factor: number) => setView((v) => ({ ...v, zoom: Math.min(MAX_ZOOM, Math.max(1, v.zoom * factor)) }));
  const onKey = (e: KeyboardEvent) => {
    const edit = editable && box ? boxAfterKey(box, e.key, { shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey }, frame) : null;
    if (edit) {
      e.preventDefault();
      useLens.setState({ editedBox: edit });
      return;
    }
    const pan = 40;
    const moves: Record<string, () => void> = {
      '+': () => zoomBy(1.25),
      '=': () => zoomBy(1.25),
      '-': () => zoomBy(0.8),
      '0': () => setView({ zoom: 1, x: 0, y: 0 }),
      ArrowLeft: () => setView((v) => ({ ...v, x: v.x + pan })),
      ArrowRight: () => setView((v) => ({ ...v, x: v.x - pan })),
      ArrowUp: () => setView((v) => ({ ...v, y: v.y + pan })),
      ArrowDown: () => setView((v) => ({ ...v, y: v.y - pan })),
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      move();
    }
  };

  return (
    <section className="panel canvas-panel" aria-labelledby="canvas-heading">
      <div className="row toolbar">
        <h2 id="canvas-heading" data-testid="canvas-heading">
          {!image ? 'Image' : showOriginal ? 'Original image' : run?.coarse ? 'What the model saw (coarse image)' : 'Your image (the model has not seen it yet)'}
        </h2>
        <button type="button" onClick={() => useLens.setState({ showOriginal: !showOriginal })} disabled={!image}>
          {showOriginal ? 'Show the coarse image' : 'Show the original'}
        </button>
        <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => setView({ zoom: 1, x: 0, y: 0 })}>
          Fit
        </button>
      </div>
      <div
        ref={host}
        className="canvas-host"
        style={{ height }}
        tabIndex={0}
        role="img"
        aria-label={`${showOriginal ? 'Original' : 'Coarse'} image ${frame.width}×${frame.height}${shown ? ` with the box [${shown.map(Math.round).join(', ')}]` : ''}. Keys: + and − zoom, arrows pan, 0 fits.${editable ? ` ${BOX_KEYS_HELP}` : ''}`}
        data-testid="coarse-canvas"
        data-frame={`${frame.width}x${frame.height}`}
        data-box={shown ? shown.map((v) => Math.round(v)).join(',') : ''}
        onKeyDown={onKey}
        {...drop.handlers}
      >
        {!image && (
          <div className={`canvas-empty${drop.over ? ' over' : ''}`} data-testid="canvas-empty">
            <p>
              Drop an image here, or choose a file on the left. Then ask your question and press <strong>Run ERGO</strong>.
            </p>
            <p>
              Or try a sample: <SampleButtons />
            </p>
          </div>
        )}
        <Stage
          width={width}
          height={height}
          scaleX={scale}
          scaleY={scale}
          x={view.x}
          y={view.y}
          draggable
          onDragEnd={(e) => e.target === e.target.getStage() && setView((v) => ({ ...v, x: e.target.x(), y: e.target.y() }))}
          onWheel={(e) => {
            e.evt.preventDefault();
            zoomBy(e.evt.deltaY < 0 ? 1.1 : 0.9);
          }}
        >
          <Layer listening={false}>{source && <KonvaImage image={source} width={frame.width} height={frame.height} />}</Layer>
          <Layer>
            {shown && (
              <Rect
                ref={rect}
                x={shown[0]}
                y={shown[1]}
                width={shown[2] - shown[0]}
                height={shown[3] - shown[1]}
                stroke="#ff2d55"
                strokeWidth={2 / scale}
                strokeScaleEnabled={false}
                draggable={editable}
                onDragEnd={(e) => {
                  e.cancelBubble = true;
                  commit();
                }}
                onTransformEnd={commit}
              />
            )}
            <Transformer ref={transformer} rotateEnabled={false} keepRatio={false} ignoreStroke />
          </Layer>
        </Stage>
      </div>
      {canAsk && !box && (
        <div className="row">
          <span className="meta">The model named no region.</span>
          <button
            type="button"
            data-testid="draw-box"
            onClick={() => useLens.setState({ editedBox: boxIn('coarse', [frame.width / 4, frame.height / 4, (3 * frame.width) / 4, (3 * frame.height) / 4].map(Math.round)) })}
          >
            Draw a box
          </button>
        </div>
      )}
      {editable && box && (
        <div className="row">
          <BoxFields box={box} frame={frame} onChange={(b) => useLens.setState({ editedBox: b })} />
          <button type="button" className="primary" data-testid="ask-region" onClick={() => askAboutRegion(box)}>
            Ask about this region
          </button>
          <span className="hint" data-testid="box-keys">
            Drag the box or its handles. Keys on the focused image: {BOX_KEYS_HELP}
          </span>
        </div>
      )}
      {refine?.ok && refine.recompute && (
        <p className="meta" data-testid="ask-region-note">
          This run's first look is no longer in memory: asking about a region computes it again first.
        </p>
      )}
      {refine && !refine.ok && (
        <div className="row">
          <button type="button" className="primary" data-testid="ask-region" disabled aria-describedby="ask-region-reason">
            Ask about this region
          </button>
          <span className="meta" id="ask-region-reason" data-testid="ask-region-reason">
            {refine.reason}
          </span>
        </div>
      )}
      {run?.kind === 'fine' && run.error && <ErrorNote testId="run-error" error={run.error} onDismiss={dismissRunError} />}
    </section>
  );
}
