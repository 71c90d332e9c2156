import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Size } from '../../app/core/geometry';
import type { StageUsage } from '../../app/eval/results';
import { readDataset } from './datasets';
import { AbortedError, type EvalEngine, type EvalJob } from './engine';
import { encodedSize } from './replay';
import { readExisting } from './resultsFile';
import { runEval, type RunPlan } from './run';
import { testItems, writeJsonl } from './testData';

const usage = (vision: number): StageUsage => ({ vision_tokens: vision, text_tokens: 10, prompt_tokens: 10 + vision, completion_tokens: 5, cached_tokens: 0, ms: 1 });

/**
 * An engine that answers from a script, to check the runner's bookkeeping (resume, failures,
 * Ctrl+C) apart from any model. Real engines are exercised in the end-to-end tests.
 */
class ScriptedEngine implements EvalEngine {
  readonly model = 'scripted';
  readonly label = 'scripted';
  readonly convention = 'pixels-coarse' as const;
  readonly seen: string[] = [];
  constructor(
    readonly concurrent: boolean,
    private readonly behave: (job: EvalJob, n: number) => Promise<void> = async () => {},
  ) {}
  async ergo(job: EvalJob) {
    this.seen.push(job.question);
    await this.behave(job, this.seen.length);
    const original: Size = encodedSize(job.image, job.imageName);
    return { original, outputs: { coarse_output: '<zoom>[0, 0, 10, 10]</zoom>', fine_output: `<answer>${job.fineQuestion.includes('object 1?') ? 'B' : 'A'}</answer>`, usage: { coarse: usage(20), fine: usage(4) }, total_ms: 3 } };
  }
  async baseline(_kind: 'direct' | 'coarse-only', job: EvalJob) {
    this.seen.push(`baseline ${job.question}`);
    const original = encodedSize(job.image, job.imageName);
    return { original, input: original, output: 'A', usage: usage(50) };
  }
  async close() {}
}

async function setup(n = 4) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ergo-run-'));
  const dataset = await readDataset(writeJsonl(dir, testItems(n)), 'jsonl');
  return { dataset, out: path.join(dir, 'results.jsonl') };
}

const plan = (p: Pick<RunPlan, 'dataset' | 'engine' | 'out'> & Partial<RunPlan>): RunPlan => ({
  budget: 1280, maxNewTokens: 64, modes: ['ergo'], limit: null, concurrency: 1, signal: new AbortController().signal, ...p,
});

describe('runEval', () => {
  it('writes one line per sample and mode, and a second run resumes: nothing is run twice', async () => {
    const { dataset, out } = await setup();
    const engine = new ScriptedEngine(false);
    const first = await runEval(plan({ dataset, engine, out, limit: 2, modes: ['ergo', 'direct'] }));
    expect([first.ran, first.skipped]).toEqual([4, 0]);
    const again = new ScriptedEngine(false);
    const second = await runEval(plan({ dataset, engine: again, out, modes: ['ergo', 'direct'] }));
    expect([second.ran, second.skipped]).toEqual([4, 4]);
    expect(again.seen).toEqual([dataset.samples[2]!.question, dataset.samples[3]!.question, `baseline ${dataset.samples[2]!.question}`, `baseline ${dataset.samples[3]!.question}`]);
    expect(readExisting(out).lines).toHaveLength(8);
  });

  it('a failing sample is written as failed, with its code, and retried by the next run', async () => {
    const { dataset, out } = await setup(3);
    const flaky = new ScriptedEngine(false, async (_job, n) => {
      if (n === 2) throw Object.assign(new Error('server answered 500'), { code: 'server-error' });
    });
    const report = await runEval(plan({ dataset, engine: flaky, out }));
    expect(report.failed).toBe(1);
    expect(report.lines[1]).toMatchObject({ failed: true, error: { code: 'server-error', message: 'server answered 500' } });
    const retry = await runEval(plan({ dataset, engine: new ScriptedEngine(false), out }));
    expect([retry.ran, retry.failed, retry.skipped]).toEqual([1, 0, 2]);
  });

  it('Ctrl+C stops between samples: finished lines stay, the one in flight is not written', async () => {
    const { dataset, out } = await setup(4);
    const controller = new AbortController();
    const engine = new ScriptedEngine(false, async (job, n) => {
      if (n === 2) {
        controller.abort();
        if (job.signal.aborted) throw new AbortedError();
      }
    });
    const report = await runEval(plan({ dataset, engine, out, signal: controller.signal }));
    expect(report).toMatchObject({ ran: 1, interrupted: true });
    expect(readExisting(out).lines.map((l) => l.id)).toEqual([dataset.samples[0]!.id]);
  });

  it('a cut-off last line (killed mid-write) is removed on resume; a foreign file is refused', async () => {
    const { dataset, out } = await setup(2);
    await runEval(plan({ dataset, engine: new ScriptedEngine(false), out, limit: 1 }));
    writeFileSync(out, `${readFileSync(out, 'utf8')}{"id": "2", "mode": "er`);
    const report = await runEval(plan({ dataset, engine: new ScriptedEngine(false), out }));
    expect(report).toMatchObject({ repaired: true, ran: 1, skipped: 1 });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
    writeFileSync(out, 'hello\n');
    await expect(runEval(plan({ dataset, engine: new ScriptedEngine(false), out }))).rejects.toThrow(/line 1 is not JSON: is this a results file\?/);
  });

  it('runs several samples at once only on a concurrent engine', async () => {
    const { dataset, out } = await setup(4);
    let inFlight = 0;
    let most = 0;
    const track = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
    };
    await runEval(plan({ dataset, engine: new ScriptedEngine(false, track), out, concurrency: 3 }));
    expect(most).toBe(1);
    await runEval(plan({ dataset, engine: new ScriptedEngine(true, track), out: `${out}.2`, concurrency: 3 }));
    expect(most).toBe(3);
  });
});
