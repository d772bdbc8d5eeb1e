/**
 * The load client's side in the benchmark process: starts bench/load/load-client.js of the build in its
 * own process, runs the readings between its phases and collects its result.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { LoadClientConfig, LoadClientResult } from './load-client';
import { ROOT, type RunContext } from './processes';

/**
 * Runs the load client in its own process. It reports `EVENT <name>` as the warm-up and each phase end and
 * waits for a line on stdin before going on; `after` runs in between (readings, settling). Killed if it
 * overruns its phases.
 */
export async function runClient(
  config: LoadClientConfig,
  context: RunContext,
  after: (event: string) => Promise<void>,
): Promise<LoadClientResult> {
  const child = spawn(
    process.execPath,
    [path.join(context.build.root, 'bench', 'load', 'load-client.js'), JSON.stringify(config)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  context.children.add(child);
  child.stdin?.on('error', () => undefined);
  const budgetMs = config.phases.reduce((sum, p) => sum + p.durationMs, 0) + 300_000 + config.triggers * 40;
  const killer = setTimeout(() => child.kill('SIGKILL'), budgetMs);
  let stdout = '';
  let stderr = '';
  let pending = '';
  let hooks: Promise<void> = Promise.resolve();
  let hookError: unknown;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith('EVENT ')) continue;
      const event = line.slice(6);
      hooks = hooks
        .then(() => after(event))
        .then(
          () => {
            if (child.exitCode === null) child.stdin?.write('GO\n');
          },
          (error: unknown) => {
            hookError ??= error;
            child.kill('SIGKILL');
          },
        );
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  await hooks;
  context.children.delete(child);
  if (hookError !== undefined) {
    const reason = hookError instanceof Error ? hookError.message : String(hookError);
    throw new Error(`load client stopped: reading the server after a phase failed: ${reason}`);
  }
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`load client failed (exit ${code}): ${stderr}`);
  return JSON.parse(last) as LoadClientResult;
}
