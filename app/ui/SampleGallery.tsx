import { useState } from 'react';
import { SAMPLE_SCENES, renderScene, type SampleScene } from '../samples/scenes';
import { pickImage } from '../store/actions';
import { useLens } from '../store/lensStore';

/** Generated high-resolution scenes with suggested questions. */
export function SampleGallery() {
  const [busy, setBusy] = useState<string | null>(null);
  const open = async (scene: SampleScene, question: string) => {
    setBusy(scene.id);
    try {
      const file = await renderScene(scene);
      await pickImage(file, file.name);
      useLens.setState({ question });
    } finally {
      setBusy(null);
    }
  };
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
