import { useEffect } from 'react';
import { useLens } from '../store/lensStore';
import { AnswerCard } from './AnswerCard';
import { CostLedger } from './CostLedger';
import { CropView } from './CropView';
import { ErrorBanner } from './ErrorBanner';
import { HistoryPanel } from './HistoryPanel';
import { ImageInput } from './ImageInput';
import { LensCanvas } from './LensCanvas';
import { ModelPanel } from './ModelPanel';
import { QuestionBar } from './QuestionBar';
import { SampleGallery } from './SampleGallery';
import { StageOutput } from './StageOutput';
import { openShareLink, setTheme } from '../store/actions';
import { ShareBar } from './ShareBar';
import './styles.css';

export function App() {
  const theme = useLens((s) => s.theme);
  useEffect(() => {
    void openShareLink(location.search);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <div className="app">
      <header className="app-header">
        <h1>ERGO Lens</h1>
        <p className="tagline">Looks at a small copy, zooms into the full-resolution region that matters, then answers. Your image never leaves this machine.</p>
        <a href="#/results" data-testid="results-link">Results browser</a>
        <button type="button" data-testid="theme-toggle" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </header>
      <ErrorBanner />
      <main className="layout">
        <aside className="column inputs" aria-label="Image and model">
          <ImageInput />
          <ModelPanel />
          <SampleGallery />
        </aside>
        <section className="column views" aria-label="Question and image">
          <QuestionBar />
          <LensCanvas />
          <CropView />
        </section>
        <section className="column outputs" aria-label="Reasoning, answer and cost">
          <ShareBar />
          <AnswerCard />
          <StageOutput stage="coarse" title="Stage 1: coarse look" testId="stage1-output" />
          <StageOutput stage="fine" title="Stage 2: zoomed answer" testId="stage2-output" />
          <CostLedger />
          <HistoryPanel />
        </section>
      </main>
    </div>
  );
}
