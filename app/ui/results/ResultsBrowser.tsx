import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { facets, viewResults } from '../../results/resultsModel';
import { dismissResultsError, openDatasetFolder, openResultsFile, selectedLine, useResults } from '../../results/resultsStore';
import { FileButton } from '../FileButton';
import { ResultDetail } from './ResultDetail';
import { ResultsFilters } from './ResultsFilters';
import { ResultsGrid } from './ResultsGrid';
import { ResultsOverview } from './ResultsOverview';

/** The results browser page: a results file from `npm run eval`, every sample's region on its image. */
export function ResultsBrowser() {
  const { file, folder, filter, sort, error, selected } = useResults(
    useShallow((s) => ({ file: s.file, folder: s.folder, filter: s.filter, sort: s.sort, error: s.error, selected: selectedLine(s) })),
  );
  const lines = file?.lines ?? [];
  const shown = useMemo(() => viewResults(lines, filter, sort), [lines, filter, sort]);
  const { categories, modes } = useMemo(() => facets(lines), [lines]);
  return (
    <div className="app results-page">
      <header className="app-header">
        <h1>ERGO Lens · Results</h1>
        <p className="tagline">Every predicted region of an evaluation run, over its image.</p>
        <a href="#/">Single image</a>
      </header>
      <div className="error-slot" aria-live="assertive">
        {error && (
          <div className="error" role="alert" data-testid="error">
            <span>{error}</span>
            <button type="button" onClick={dismissResultsError} aria-label="Dismiss the error">
              ×
            </button>
          </div>
        )}
      </div>
      <div className="results-toolbar">
        <FileButton label="Open results (.jsonl)" accept=".jsonl,.json,application/json,text/plain" testId="results-open-file" onFile={(f) => void openResultsFile(f)} />
        <label className="file-label">
          Open dataset folder
          <input type="file" data-testid="results-open-folder" {...{ webkitdirectory: '' }} multiple onChange={(e) => openDatasetFolder([...(e.target.files ?? [])])} />
        </label>
        <span className="meta" data-testid="results-status">
          {file ? `${file.name}: ${file.lines.length} results` : 'No results file yet.'}
          {file?.badLines ? `; ${file.badLines} unreadable line(s) skipped (${file.problems.join('; ')})` : ''}
          {folder ? ` · images from "${folder.name}" (${folder.files.size} files)` : file ? ' · open the dataset folder to see the images' : ''}
        </span>
      </div>
      {file ? (
        <main className="results-layout">
          <aside className="results-side">
            <ResultsFilters categories={categories} modes={modes} />
            <ResultsOverview lines={lines} failed={file.failed} />
          </aside>
          <section className="results-main" aria-label="Samples">
            <p className="meta" data-testid="results-count" aria-live="polite">
              {shown.length} of {lines.length} shown
            </p>
            <ResultsGrid lines={shown} folder={folder} selectedKey={selected ? `${selected.mode}/${selected.id}` : null} />
          </section>
          <aside className="results-side">{selected ? <ResultDetail line={selected} folder={folder} /> : <p className="meta">Choose a sample to see its outputs and costs.</p>}</aside>
        </main>
      ) : (
        <main className="results-empty">
          <p>
            Open the results file that <code>npm run eval -- ... --out results.jsonl</code> wrote, then the dataset's folder (the one its image paths start from) to see
            each image with its predicted box (orange) and the target (green, dashed).
          </p>
        </main>
      )}
    </div>
  );
}
