import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { EvalResultLine } from '../../eval/results';
import { selectResult, type DatasetFolder } from '../../results/resultsStore';
import { ResultTile, TILE_HEIGHT, TILE_WIDTH } from './ResultTile';

const GAP = 8;

/**
 * The grid of results, virtualized by rows: only the rows in view (and a few around) are in the
 * DOM, so 2,000 results scroll like 20.
 */
export function ResultsGrid({ lines, folder, selectedKey }: { lines: readonly EvalResultLine[]; folder: DatasetFolder | null; selectedKey: string | null }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry!.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const columns = Math.max(1, Math.floor((width + GAP) / (TILE_WIDTH + GAP)));
  const rows = Math.ceil(lines.length / columns);
  // No flushSync per scroll event: React batches the row changes into the next frame.
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => TILE_HEIGHT + GAP, overscan: 2, useFlushSync: false });
  return (
    <div className="results-scroll" ref={scroller} data-testid="results-grid" tabIndex={-1}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div key={row.key} className="results-row" style={{ transform: `translateY(${row.start}px)`, gap: GAP }}>
            {lines.slice(row.index * columns, (row.index + 1) * columns).map((line) => (
              <ResultTile key={`${line.mode}/${line.id}`} line={line} folder={folder} selected={selectedKey === `${line.mode}/${line.id}`} onOpen={selectResult} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
