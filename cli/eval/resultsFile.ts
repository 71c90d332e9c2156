/**
 * The results file: JSONL, one line appended per finished sample, so an interrupted run leaves
 * every finished line intact and a second run with the same file resumes after them.
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { lineKey, parseResultLine, type ResultFileLine } from '../../app/eval/results';
import { isFailed } from '../../app/eval/results';

export interface ExistingResults {
  readonly lines: readonly ResultFileLine[];
  /** Keys (mode + id) finished without failure: a resumed run skips these and retries failures. */
  readonly done: ReadonlySet<string>;
  /** Whether a cut-off last line (a process killed mid-write) was removed. */
  readonly repaired: boolean;
}

export class ResultsFileError extends Error {}

/**
 * Reads what an earlier run wrote to `file`. A last line without its newline that does not parse
 * is the trace of a kill during a write: it is cut off so appending continues cleanly. Any other
 * bad line means the file is not a results file, and nothing is touched.
 */
export function readExisting(file: string): ExistingResults {
  if (!existsSync(file)) return { lines: [], done: new Set(), repaired: false };
  const text = readFileSync(file, 'utf8');
  const rows = text.split('\n');
  const tail = rows.pop() ?? '';
  let repaired = false;
  const lines: ResultFileLine[] = [];
  const parse = (raw: string, n: number): ResultFileLine => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ResultsFileError(`${file} line ${n} is not JSON: is this a results file? Choose another --out, or move it away.`);
    }
    const parsed = parseResultLine(json);
    if (!parsed.ok) throw new ResultsFileError(`${file} line ${n} is not a results line (${parsed.message}): choose another --out, or move it away.`);
    return parsed.line;
  };
  rows.forEach((raw, i) => raw.trim() && lines.push(parse(raw, i + 1)));
  if (tail.trim()) {
    try {
      lines.push(parse(tail, rows.length + 1));
      // A whole line that only lacks its newline: add it so the next append starts a new line.
      appendRaw(file, '\n');
    } catch {
      truncateSync(file, Buffer.byteLength(text) - Buffer.byteLength(tail));
      repaired = true;
    }
  }
  return { lines, done: new Set(lines.filter((l) => !isFailed(l)).map(lineKey)), repaired };
}

function appendRaw(file: string, text: string): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Appends one line with a single write, so a line is either whole or (if killed mid-write) repaired on resume. */
export function appendLine(file: string, line: ResultFileLine): void {
  appendRaw(file, `${JSON.stringify(line)}\n`);
}
