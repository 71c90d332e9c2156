import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLens } from '../store/lensStore';
import { activeCrop } from '../store/selectors';
import { useRgbaCanvas } from './bitmaps';

/** The crop at native resolution (cut from the original file) beside what the model got (resized). */
export function CropView() {
  const { run, image, edited } = useLens(useShallow((s) => ({ run: s.run, image: s.image, edited: s.editedBox })));
  const crop = run ? activeCrop(run, edited) : null;
  const native = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
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
      <h2 id="crop-heading">Crop</h2>
      {crop ? (
        <>
          <p className="meta">
            Region {crop.x1},{crop.y1} – {crop.x2},{crop.y2} of the original ({crop.x2 - crop.x1}×{crop.y2 - crop.y1} px, native resolution)
            {failed ? ': this browser could not cut it.' : ''}
          </p>
          <div className="crop-scroll">
            <canvas ref={native} data-testid="crop-image" aria-label="The crop at native resolution" />
          </div>
        </>
      ) : (
        <p className="meta">{run ? 'No crop: the box is missing or empty.' : 'The crop appears once the model names a region.'}</p>
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
