/**
 * The built site for the browser benches: built if missing, served by the project's static server
 * on a free port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function ensureBuilt(): void {
  if (existsSync(join(DIST, 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, DIST_DIR: DIST } });
  if (r.status !== 0) throw new Error('build failed');
}

/** `scripts/serve.mjs` on the built site, on a port the system picks. */
export async function serveSite(): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, ['scripts/serve.mjs', DIST], { cwd: ROOT, env: { ...process.env, PORT: '0' } });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (t: string) => {
      const port = /localhost:(\d+)/.exec(t)?.[1];
      if (port) resolve(`http://localhost:${port}/`);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { url, stop: () => server.kill() };
}
