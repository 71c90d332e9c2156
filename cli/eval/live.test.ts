// npm run eval end to end on the Node engine (the built-in scripted model, which names a box and
// answers), on a dataset of each layout; resume, and Ctrl+C sent to the running process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResultLine, type EvalResultLine } from '../../app/eval/results';
import { testItems, writeHrbench, writeJsonl, writeMmerwl, writeVstar } from './testData';

const ROOT = path.resolve(__dirname, '../..');
const MODEL = 'tiny-scripted-qwen2_5_vl';
// The scripted model's replies: a box in the coarse turn, "red" in the fine turn.
const COARSE = '<think>the red square</think><zoom>[100, 40, 180, 120]</zoom>';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run eval -- ...args` in-process under tsx (so a signal reaches the evaluation itself). */
function evalProcess(args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/eval/main.ts'), ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    onStderr?.(stderr, () => child.kill('SIGINT'));
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function readLines(file: string): EvalResultLine[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((raw) => {
    const parsed = parseResultLine(JSON.parse(raw));
    if (!parsed.ok || 'failed' in parsed.line) throw new Error(`bad line: ${raw}`);
    return parsed.line;
  });
}

const items = testItems(3);
const fresh = () => mkdtempSync(path.join(tmpdir(), 'ergo-live-'));

describe('npm run eval on the Node engine', () => {
  const layouts: [string, (dir: string) => string][] = [
    ['vstar', (dir) => (writeVstar(dir, items), dir)],
    ['hrbench', (dir) => (writeHrbench(dir, items), dir)],
    ['mmerwl', (dir) => (writeMmerwl(dir, items), dir)],
    ['jsonl', (dir) => writeJsonl(dir, items)],
  ];
  for (const [format, write] of layouts) {
    it(`${format}: both turns per sample, the box measured, the summary written`, async () => {
      const dir = fresh();
      const data = write(dir);
      const out = path.join(dir, 'results.jsonl');
      const run = await evalProcess(['--data', data, '--format', format, '--engine', 'node', '--model', MODEL, '--out', out, '--max-new-tokens', '64']);
      expect(run.stderr).toContain('3/3 100%');
      expect(run.code).toBe(0);
      const lines = readLines(out);
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        expect(line).toMatchObject({ mode: 'ergo', coarse_output: COARSE, box_status: 'parsed', fallback: 'none', pred: 'red', correct: false, model: MODEL });
        expect(line.usage.fine!.cached_tokens).toBe(line.usage.coarse.prompt_tokens! + line.usage.coarse.completion_tokens!);
        expect(line.vision_tokens).toBe(line.usage.coarse.vision_tokens + line.usage.fine!.vision_tokens);
      }
      expect(run.stdout).toMatch(/TOTAL\s+0\.00% \(0\/3\)/);
      expect(existsSync(path.join(dir, 'results.summary.json'))).toBe(true);
    });
  }

  it('baselines, resume, and Ctrl+C leave a valid file that the next run completes', async () => {
    const dir = fresh();
    const data = writeJsonl(dir, testItems(8));
    const out = path.join(dir, 'results.jsonl');
    const args = ['--data', data, '--format', 'jsonl', '--engine', 'node', '--model', MODEL, '--out', out, '--max-new-tokens', '64', '--baselines', 'direct'];
    let sent = false;
    const stopped = await evalProcess(args, (_text, kill) => {
      // Ctrl+C once a few samples are written.
      if (!sent && existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 3) {
        sent = true;
        kill();
      }
    });
    expect(sent).toBe(true);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('run the same command again to resume');
    const partial = readLines(out);
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(16);
    const resumed = await evalProcess(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resumed: ${partial.length} sample run(s) already in`);
    const all = readLines(out);
    expect(all).toHaveLength(16);
    expect(new Set(all.map((l) => `${l.mode}/${l.id}`)).size).toBe(16);
    expect(all.filter((l) => l.mode === 'direct').every((l) => l.box_status === 'baseline')).toBe(true);
    expect(resumed.stdout).toContain('ERGO vs direct over 8 samples');
  });

  it('against npm run serve (OpenAI-compatible): several samples in flight, the server prefix cache reported, Ctrl+C and resume', async () => {
    const server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/serve.ts'), '--model', MODEL, '--port', '0'], { cwd: ROOT });
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d;
          const url = /at (http:\/\/[\d.]+:\d+\/v1)/.exec(out)?.[1];
          if (url) resolve(url);
        });
        server.on('exit', (code) => reject(new Error(`npm run serve exited with ${code}`)));
      });
      const dir = fresh();
      const data = writeJsonl(dir, testItems(8));
      const out = path.join(dir, 'results.jsonl');
      const args = ['--data', data, '--format', 'jsonl', '--engine', 'openai', '--endpoint', endpoint, '--model', MODEL, '--out', out, '--max-new-tokens', '64', '--concurrency', '3'];
      let sent = false;
      const stopped = await evalProcess(args, (_text, kill) => {
        if (!sent && existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 2) {
          sent = true;
          kill();
        }
      });
      expect(stopped.code).toBe(130);
      const partial = readLines(out);
      expect(partial.length).toBeGreaterThanOrEqual(2);
      expect(partial.length).toBeLessThan(8);
      // Resumed one sample at a time: the server (which keeps the latest conversation's cache, where
      // vLLM keeps many) then reuses each first turn for its second.
      const resumed = await evalProcess(args.map((a, i) => (args[i - 1] === '--concurrency' ? '1' : a)));
      expect(resumed.code).toBe(0);
      const all = readLines(out);
      expect(new Set(all.map((l) => l.id)).size).toBe(8);
      expect(all).toHaveLength(8);
      const firstTurn = (l: EvalResultLine) => l.usage.coarse.prompt_tokens! + l.usage.coarse.completion_tokens!;
      for (const line of all) {
        expect(line).toMatchObject({ coarse_output: COARSE, box_status: 'parsed', pred: 'red', engine: `openai ${endpoint}` });
        expect([0, firstTurn(line)]).toContain(line.usage.fine!.cached_tokens);
      }
      // The server's prefix cache held the whole first turn: its prompt and its reply.
      for (const line of all.slice(partial.length)) expect(line.usage.fine!.cached_tokens).toBe(firstTurn(line));
      // A model the server does not serve is named, with what it does serve.
      const wrong = await evalProcess([...args.slice(0, 9), 'nope', '--out', path.join(dir, 'other.jsonl')]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(`serves "${MODEL}", not "nope"`);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
