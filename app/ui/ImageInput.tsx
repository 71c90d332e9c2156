import { useEffect, useState, type DragEvent } from 'react';
import { pickImage, pickImageUrl } from '../store/actions';
import { useLens } from '../store/lensStore';
import { FileButton } from './FileButton';
import { PlacedError } from './PlacedError';

/** Drop-target handlers for an element that takes a dropped image file, and whether a drag is over it. */
export function useImageDrop() {
  const [over, setOver] = useState(false);
  return {
    over,
    handlers: {
      onDragOver: (e: DragEvent) => {
        e.preventDefault();
        setOver(true);
      },
      onDragLeave: () => setOver(false),
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        setOver(false);
        const file = e.dataTransfer.files[0];
        if (file) void pickImage(file, file.name);
      },
    },
  };
}

/** File picker, drag and drop, paste from the clipboard, and an image URL. */
export function ImageInput() {
  const image = useLens((s) => s.image);
  const [url, setUrl] = useState('');
  const { over, handlers } = useImageDrop();

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = [...(e.clipboardData?.files ?? [])][0];
      if (file) {
        e.preventDefault();
        void pickImage(file, file.name || 'pasted image');
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);

  return (
    <section className="panel" aria-labelledby="image-heading">
      <h2 id="image-heading">
        <span className="step" aria-hidden="true">1</span> Image
      </h2>
      <div className={`dropzone${over ? ' over' : ''}`} data-testid="dropzone" {...handlers}>
        <FileButton label="Choose an image" accept="image/*" testId="image-input" onFile={(file) => void pickImage(file, file.name)} />
        <span className="hint">or drop it here, or paste it (Ctrl+V)</span>
      </div>
      <form
        className="url-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void pickImageUrl(url.trim());
        }}
      >
        <label htmlFor="image-url">Image URL (https)</label>
        <div className="row">
          <input id="image-url" type="url" placeholder="https://…/photo.jpg" value={url} onChange={(e) => setUrl(e.target.value)} />
          <button type="submit">Open</button>
        </div>
      </form>
      <PlacedError where="image" />
      <p className="meta" data-testid="image-meta">
        {image ? `${image.name}: ${image.width} × ${image.height}` : 'No image yet.'}
      </p>
    </section>
  );
}
