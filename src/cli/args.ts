/**
 * What every command of `src/cli/` shares: flag parsing, `--help` / `-h`, and the exit codes
 * (0 done or help shown, 1 an unexpected failure, 2 a usage error: bad flags or bad input).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A problem with the flags or the input: exit code 2 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

/** True when the command line asks for the usage (`--help` or `-h` anywhere before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Parses `argv` strictly against `flags` (no positionals, no unknown flags); a flag the parser rejects
 * becomes a {@link UsageError} with the parser's message, followed by `usage` when one is given.
 */
export function parseFlags<T extends FlagSpecs>(argv: string[], flags: T, usage?: string) {
  try {
    return parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(usage === undefined ? message : `${message}\n${usage}`);
  }
}

/** The command's output streams, one line per call. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The process's own streams. */
export const PROCESS_IO: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `NAME: unexpected error: …` with the stack: what a command prints before exit code 1. */
export function unexpected(name: string, error: unknown): string {
  return `${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/**
 * Ends the process quietly when the reader of `stream` goes away (`| head`): the rest of the output has
 * nobody to read it, which is the reader's choice, not a failure of the command. Any other stream error
 * is rethrown.
 */
export function stopWhenReaderCloses(
  stream: NodeJS.EventEmitter,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK);
  });
}

/**
 * Runs a command's `main` as the process entry: sets the exit code from its result, and reports a
 * thrown error with {@link unexpected} and exit code 1.
 */
export function runAsProcess(name: string, main: () => number | Promise<number>): void {
  stopWhenReaderCloses(process.stdout);
  Promise.resolve()
    .then(main)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${unexpected(name, error)}\n`);
      process.exitCode = EXIT_FAILURE;
    });
}
