import { expect, type Locator, type Page } from '@playwright/test';

/** The ERGO Lens page, by its stable test ids. */
export class LensPage {
  readonly imageInput: Locator;
  readonly question: Locator;
  readonly run: Locator;
  readonly stop: Locator;
  readonly model: Locator;
  readonly canvas: Locator;
  readonly crop: Locator;
  readonly stage1: Locator;
  readonly stage2: Locator;
  readonly answer: Locator;
  readonly coarseTokens: Locator;
  readonly cropTokens: Locator;
  readonly fullTokens: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    const id = (t: string) => page.getByTestId(t);
    this.imageInput = id('image-input');
    this.question = id('question-input');
    this.run = id('run-button');
    this.stop = id('stop-button');
    this.model = id('model-select');
    this.canvas = id('coarse-canvas');
    this.crop = id('crop-image');
    this.stage1 = id('stage1-output');
    this.stage2 = id('stage2-output');
    this.answer = id('answer');
    this.coarseTokens = id('ledger-coarse-tokens');
    this.cropTokens = id('ledger-crop-tokens');
    this.fullTokens = id('ledger-full-tokens');
    this.error = id('error');
  }

  async open(query: string): Promise<void> {
    await this.page.goto(`./?${query}`);
    await expect(this.page.getByRole('heading', { name: 'ERGO Lens' })).toBeVisible();
  }

  /** A PNG drawn in the page (gradient + a small red square), as bytes. */
  async pattern(width: number, height: number): Promise<Buffer> {
    const base64 = await this.page.evaluate(async ([w, h]) => {
      const canvas = new OffscreenCanvas(w!, h!);
      const ctx = canvas.getContext('2d')!;
      const g = ctx.createLinearGradient(0, 0, w!, h!);
      g.addColorStop(0, '#204080');
      g.addColorStop(1, '#f0c020');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w!, h!);
      ctx.fillStyle = '#c02020';
      ctx.fillRect(w! * 0.6, h! * 0.3, w! * 0.05, h! * 0.05);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }, [width, height]);
    return Buffer.from(base64, 'base64');
  }

  /** Opens a built-in sample from the empty canvas (or the Samples panel) and waits for it. */
  async openSample(id: string, size: string): Promise<void> {
    await this.page.getByTestId(`sample-${id}`).click();
    await expect(this.page.getByTestId('image-meta')).toContainText(`${id}.png: ${size}`);
  }

  async maxTokens(n: number): Promise<void> {
    await this.page.getByLabel('Max new tokens').fill(String(n));
  }

  /** Imports a trace object as a JSON file named `name`. */
  async importTrace(trace: object, name = 'trace.json'): Promise<void> {
    await this.page.getByTestId('trace-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(trace)) });
  }

  /** Clicks Export and returns the downloaded trace. */
  async exportTrace(): Promise<Record<string, unknown>> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('export-trace').click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  }

  /** Page width beyond the window (0 when nothing overflows sideways). */
  async sidewaysOverflow(): Promise<number> {
    return this.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  }

  async upload(name: string, buffer: Buffer, mimeType = 'image/png'): Promise<void> {
    await this.imageInput.setInputFiles({ name, mimeType, buffer });
  }

  async ask(question: string): Promise<void> {
    await this.question.fill(question);
    await this.run.click();
  }

  /** Presses Stop, from inside the page, the moment the run status first says a stage is encoding (the step Stop cannot leave without a restart). */
  async stopOnceEncoding(): Promise<void> {
    await this.page.evaluate(() => {
      const status = document.querySelector('[data-testid="run-status"]')!;
      new MutationObserver((_, observer) => {
        if (!status.textContent?.includes('encoding')) return;
        observer.disconnect();
        (document.querySelector('[data-testid="stop-button"]') as HTMLButtonElement).click();
      }).observe(status, { childList: true, characterData: true, subtree: true });
    });
  }

  /** Waits until a model load (or an engine restart's reload) has ended; loads take longest of all on a busy machine. */
  async loaded(timeout = 120_000): Promise<void> {
    await expect(this.page.getByTestId('load-model')).toHaveText('Loaded', { timeout });
  }

  /** Waits until the run has ended (Run enabled again) and returns the answer text. */
  async finished(timeout = 120_000): Promise<string> {
    await expect(this.run).toBeEnabled({ timeout });
    return (await this.answer.textContent()) ?? '';
  }
}
