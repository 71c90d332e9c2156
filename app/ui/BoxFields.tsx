import { boxIn, type CoarseBox, type Size } from '../core/geometry';

const NAMES = ['x1', 'y1', 'x2', 'y2'] as const;

/** The box as four number fields (coarse pixels): the keyboard way to edit it. */
export function BoxFields({ box, frame, onChange }: { box: CoarseBox; frame: Size; onChange: (box: CoarseBox) => void }) {
  return (
    <fieldset className="box-fields">
      <legend>Box in coarse pixels</legend>
      {NAMES.map((name, i) => (
        <label key={name}>
          {name}
          <input
            type="number"
            data-testid={`box-${name}`}
            min={0}
            max={i % 2 === 0 ? frame.width : frame.height}
            value={Math.round(box[i]!)}
            onChange={(e) => {
              const next = [...box];
              next[i] = Math.max(0, Number(e.target.value) || 0);
              onChange(boxIn('coarse', next));
            }}
          />
        </label>
      ))}
    </fieldset>
  );
}
