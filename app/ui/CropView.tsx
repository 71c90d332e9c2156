import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLens } from '../store/lensStore';
import { boxView } from '../store/selectors';
import { cropNote } from '../store/runState';
import { useRgbaCanvas } from './bitmaps';

/**
 * The crop at native resolution, cut from the shown run's own image, beside what the model got
 * (resized). "Fit" scales it into the panel, "1:1" shows its pixels as they are, scrollable.
 */
export function CropView() {
  const picked = useLens(useShallow((s) => ({ run: s.run, image: s.image, editedBox: s.editedBox, load: s.load, shared: s.shared, settings: s.settings })));
  const { run } = picked;
  const { image, crop } = boxView(picked);
  const note = cropNote(run);
  const native = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  const [fit, setFit] = useState(true);
  useEffect(() => {
    const canvas = native.current;
    if (!canvas || !crop || !image) return;
    let live = true;
    const w = crop.x2 - crop.x1;
    const h = crop.y2 - crop.y1;
    void createImageBitmap(image.blob, crop.x1, crop.y1, w, h).then(
      (bitmap) => {
        if (live) {
          canvas.width = w;
          canvas.height = h;
          canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
          setFailed(false);
        }
        bitmap.close();
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [image, crop?.x1, crop?.y1, crop?.x2, crop?.y2]);
  const seen = useRgbaCanvas(run?.second ?? null);
  const seenHost = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = seenHost.current;
    if (!host) return;
    host.replaceChildren(...(seen ? [seen] : []));
  }, [seen]);

  return (
    <section className="panel crop-panel" aria-labelledby="crop-heading">
      <div className="row">
        <h2 id="crop-heading">Crop</h2>
        {crop && (
          <div className="toggle" role="group" aria-label="Crop view">
            <button type="button" data-testid="crop-fit" aria-pressed={fit} onClick={() => setFit(true)}>
              Fit
            </button>
            <button type="button" data-testid="crop-actual" aria-pressed={!fit} onClick={() => setFit(false)}>
              1:1
            </button>
          </div>
        )}
      </div>
      {crop ? (
        <>
          <p className="meta">
            Region {crop.x1},{crop.y1} – {crop.x2},{crop.y2} of the original ({crop.x2 - crop.x1}×{crop.y2 - crop.y1} px, native resolution){image ? ` of "${image.name}"` : ''}
            {failed ? ': this browser could not cut it.' : ''}
          </p>
          <div className={`crop-scroll${fit ? ' fit' : ''}`} data-testid="crop-scroll">
            <canvas ref={native} data-testid="crop-image" aria-label={`The crop, ${fit ? 'scaled to fit' : 'at native resolution (1:1)'}`} />
          </div>
        </>
      ) : (
        <p className="meta" data-testid="crop-note" data-state={note.state}>
          {note.text}
        </p>
      )}
      {run?.second && (
        <>
          <p className="meta">
            What the model got in the fine turn: {run.second.width}×{run.second.height}
          </p>
          <div className="crop-scroll model-input" ref={seenHost} />
        </>
      )}
    </section>
  );
}
