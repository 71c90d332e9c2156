import { useState } from 'react';
import { SAMPLE_SCENES, type SampleScene } from '../samples/scenes';
import { openSample } from '../store/actions';
import { useLens } from '../store/lensStore';

/** Draws a sample and, once it is the current image, asks `question` about it; `busy` names the sample being drawn. */
function useOpenSample() {
  const [busy, setBusy] = useState<string | null>(null);
  const open = async (scene: SampleScene, question: string) => {
    setBusy(scene.id);
    try {
      await openSample(scene.id);
      if (useLens.getState().image?.sample === scene.id) useLens.setState({ question });
    } finally {
      setBusy(null);
    }
  };
  return { busy, open };
}

/** One button per sample, opening it with its first question (the empty canvas offers these). */
export function SampleButtons() {
  const { busy, open } = useOpenSample();
  return (
    <>
      {SAMPLE_SCENES.map((scene) => (
        <button key={scene.id} type="button" data-testid={`sample-${scene.id}`} disabled={busy !== null} onClick={() => void open(scene, scene.questions[0] ?? '')}>
          {busy === scene.id ? 'Drawing…' : scene.title}
        </button>
      ))}
    </>
  );
}

/** Generated high-resolution scenes with suggested questions. */
export function SampleGallery() {
  const { busy, open } = useOpenSample();
  return (
    <section className="panel" aria-labelledby="samples-heading">
      <h2 id="samples-heading">Samples</h2>
      <ul className="samples">
        {SAMPLE_SCENES.map((scene) => (
          <li key={scene.id}>
            <strong>{scene.title}</strong>
            {scene.questions.map((q) => (
              <button key={q} type="button" className="link" disabled={busy !== null} onClick={() => void open(scene, q)}>
                {busy === scene.id ? 'Drawing…' : q}
              </button>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}
