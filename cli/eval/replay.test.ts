import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testItems, writeHrbench, writeJsonl, writeMmerwl, writeVstar } from './testData';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const items = testItems(6);

/** `npm run eval -- ...args` as a user runs it; resolves with stdout/stderr and the exit code. */
async function evalCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'cli/eval/main.ts'), ...args], { cwd: ROOT });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

// Recorded outputs: sample 0 right with a box on its target, 1 right (lower case), 2 wrong
// (extra letters), 3 without a box (whole-image fallback) and right, 4 wrong, 5 never recorded.
function records(ids: readonly (string | number)[], key: 'question_id' | 'id') {
  const fine = ['<answer>A</answer>', '<think>x<think><answer>b</answer>', '<answer>C. green</answer>', '<answer>(D)</answer>', 'A'];
  return ids.slice(0, 5).map((id, i) => ({
    [key]: id,
    coarse_output: i === 3 ? '<think>somewhere</think>' : `<think>t</think><zoom>[0, 0, ${items[i]!.width}, ${items[i]!.height}]</zoom>`,
    fine_output: fine[i],
  }));
}

async function replayFormat(format: string, data: string, recs: object[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ergo-replay-'));
  const file = path.join(dir, 'outputs.jsonl');
  writeFileSync(file, recs.map((r) => JSON.stringify(r)).join('\n'));
  const out = path.join(dir, 'results.jsonl');
  const result = await evalCli(['--data', data, '--format', format, '--replay', file, '--out', out]);
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = JSON.parse(readFileSync(path.join(dir, 'results.summary.json'), 'utf8')) as { summary: { modes: { total: Record<string, number> }[] } };
  return { ...result, lines, total: summary.summary.modes[0]!.total };
}

describe('npm run eval -- --replay (recorded outputs, no model)', () => {
  it('V*: the official accuracy over recorded samples, the dropped one counted apart, boxes measured', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ergo-vstar-'));
    writeVstar(dir, items);
    const r = await replayFormat('vstar', dir, records([0, 1, 2, 3, 4, 5], 'question_id'));
    expect(r.code).toBe(0);
    // Labels cycle A B C D A. Right: 0 (A), 1 ("b" vs B), 3 ("(D)"), 4 (no <answer>: the letters of
    // the whole reply, "A"). Wrong: 2 ("Cgreen" vs C). Sample 5 was never recorded.
    expect(r.total).toMatchObject({ correct: 4, count: 5, failed: 1 });
    expect(r.stdout).toMatch(/TOTAL\s+80\.00% \(4\/5\) \+1 failed/);
    expect(r.stdout).toMatch(/failures counted wrong\s+66\.67%/);
    const first = r.lines[0]!;
    expect(first).toMatchObject({ id: '0', mode: 'ergo', box_status: 'parsed', fallback: 'none', containment: 1, engine: 'replay' });
    expect(r.lines[3]).toMatchObject({ box_status: 'no-zoom', fallback: 'full-image', containment: null });
    expect(r.lines[5]).toMatchObject({ id: '5', failed: true, error: { code: 'no-recorded-output' } });
  });

  it('HR-Bench: question_id repeats across 4K and 8K, so a record without category or id is refused by name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ergo-hr-'));
    writeHrbench(dir, items);
    const ok = await replayFormat('hrbench', dir, records(['4k/0', '4k/1', '4k/2', '8k/0', '8k/1'], 'id'));
    expect(ok.code).toBe(0);
    expect(ok.total).toMatchObject({ correct: 4, count: 5, failed: 1 });
    expect(ok.stdout).toMatch(/4k\s+66\.67% \(2\/3\)/);
    const ambiguous = await replayFormat('hrbench', dir, [{ question_id: 1, coarse_output: '', fine_output: 'A' }]);
    expect(ambiguous.stderr).toContain('question_id 1 is in 4k and 8k: give "category" or "id"');
  });

  it('MME-RealWorld-lite and plain JSONL score the same way', async () => {
    const mme = mkdtempSync(path.join(tmpdir(), 'ergo-mme-'));
    writeMmerwl(mme, items);
    const m = await replayFormat('mmerwl', mme, records(['00000/0', '00000/1', '00000/2', '00001/0', '00001/1'], 'id'));
    expect(m.code).toBe(0);
    // The official total counts only its ten categories: all three used here are among them.
    expect(m.total).toMatchObject({ correct: 4, count: 5, failed: 1 });
    const dir = mkdtempSync(path.join(tmpdir(), 'ergo-jsonl-'));
    const file = writeJsonl(dir, items);
    const j = await replayFormat('jsonl', file, records([1, 2, 3, 4, 5], 'question_id'));
    expect(j.total).toMatchObject({ correct: 4, count: 5, failed: 1 });
    expect(j.lines[0]).toMatchObject({ category: 'even', containment: 1 });
  });

  it('bad arguments and files get a message and a non-zero exit', async () => {
    const bad = await evalCli(['--format', 'vstar']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--data is required');
    const dir = mkdtempSync(path.join(tmpdir(), 'ergo-bad-'));
    const noFile = await evalCli(['--data', dir, '--format', 'vstar', '--replay', path.join(dir, 'x.jsonl')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('no test_questions.jsonl');
    const conc = await evalCli(['--data', dir, '--format', 'vstar', '--engine', 'node', '--model', 'm', '--out', 'o.jsonl', '--concurrency', '4']);
    expect(conc.stderr).toContain('--concurrency applies only to servers');
  });
});
