import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT_OK, stopWhenReaderCloses } from './args';

const ROOT = path.resolve(__dirname, '../..');

describe('a command whose reader goes away', () => {
  it('exits with its exit code so far when the stream reports EPIPE', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    stopWhenReaderCloses(stream, (code) => exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([EXIT_OK]);
  });

  it('still fails on any other stream error', () => {
    const stream = new EventEmitter();
    stopWhenReaderCloses(stream, () => undefined);
    expect(() => stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow(
      'disk full',
    );
  });

  it('stops quietly when stdout is closed after the first chunk (`| head`), as a process', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-epipe-'));
    try {
      const rows = ['series_id,t,value'];
      for (let i = 0; i < 14 * 288; i++)
        rows.push(`web,${i},${100 + 50 * Math.sin((2 * Math.PI * i) / 288)}`);
      const input = path.join(dir, 'long.csv');
      writeFileSync(input, `${rows.join('\n')}\n`);
      const child = spawn(
        process.execPath,
        [require.resolve('tsx/cli'), 'src/cli/forecast.ts', '--input', input, '--horizon', '100000'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).not.toMatch(/EPIPE|unexpected error/);
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
