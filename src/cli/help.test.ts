import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { wantsHelp, parseFlags, UsageError } from './args';

const ROOT = path.resolve(__dirname, '../..');

/** Each command and the flags its usage must name. */
const COMMANDS: Array<[string, string[]]> = [
  ['forecast', ['--input', '--horizon', '--season', '--quantile', '--json']],
  [
    'simulate',
    [
      '--trace',
      '--value-column',
      '--time-column',
      '--target',
      '--startup',
      '--kind',
      '--service-rate',
      '--polling',
      '--lead',
      '--min',
      '--max',
      '--json',
      '--timeline',
      '--svg',
      '--step',
      '--training-workers',
      '--oracle-foresight',
    ],
  ],
  [
    'recommend',
    [
      '--input',
      '--json',
      '--timezone',
      '--quantile',
      '--now',
      '--multipliers',
      '--allow-below-peak',
      '--window',
      '--report',
      '--target',
      '--memory-target',
    ],
  ],
  ['demo', []],
];

function run(command: string, flag: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    [require.resolve('tsx/cli'), path.join(ROOT, 'src/cli', `${command}.ts`), flag],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('every command answers --help and -h', () => {
  it.each(COMMANDS)(
    '%s prints its usage on stdout and exits 0',
    (command, flags) => {
      for (const flag of ['--help', '-h']) {
        const { status, stdout, stderr } = run(command, flag);
        expect(stderr).toBe('');
        expect(status).toBe(0);
        expect(stdout).toMatch(new RegExp(`^usage: npm run ${command}\\b`));
        for (const name of flags) expect(stdout).toMatch(new RegExp(`${name}\\b`));
      }
    },
    120_000,
  );
});

describe('wantsHelp', () => {
  it('finds --help or -h anywhere before --', () => {
    expect(wantsHelp(['--input', 'x', '-h'])).toBe(true);
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--input', 'x'])).toBe(false);
    expect(wantsHelp(['--', '--help'])).toBe(false);
  });
});

describe('parseFlags', () => {
  const flags = { input: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

  it('returns the values of the declared flags', () => {
    expect(parseFlags(['--input', 'a.csv'], flags)).toEqual({ input: 'a.csv', json: false });
  });

  it('turns an unknown flag or a positional into a UsageError, with the usage when given', () => {
    expect(() => parseFlags(['--nope'], flags)).toThrow(UsageError);
    expect(() => parseFlags(['extra'], flags)).toThrow(UsageError);
    expect(() => parseFlags(['--nope'], flags, 'usage: x')).toThrow(/\nusage: x$/);
  });
});
