/** A labelled file input that hands over one file and resets, so the same file can be chosen again. */
export function FileButton({ label, accept, testId, onFile }: { label: string; accept: string; testId: string; onFile: (file: File) => void }) {
  return (
    <label className="file-label">
      {label}
      <input
        type="file"
        accept={accept}
        data-testid={testId}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
    </label>
  );
}
