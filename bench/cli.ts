/**
 * `npm run bench -- --json`: every benchmark in one run, printed as ONE JSON object: gRPC load against
 * the scaler and a bare server (bench/load.bench.ts), live source reads (sources.bench.ts), forecast
 * accuracy and fit time (forecast.bench.ts) and the KEDA + HPA replay (simulate.bench.ts). A benchmark
 * whose file is not there, or whose trace data is missing, is reported as skipped with the reason.
 * Progress goes to stderr; stdout holds only the result.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBenchOptionsFromArgs } from './load.bench';
import { machine } from './load/report';

const USAGE = `usage: npm run bench -- [--json] [--quick] [--only load,sources,forecast,simulate]
  [--triggers 1000,10000] [--rounds 3] [--soak 10m] [--concurrency 32,64,128] [--max-old-space-size MiB] [--profile DIR]
  [--data-dir DIR] [--traces azure,worldcup]

  --json        one JSON object on stdout (otherwise the same object, indented)
  --quick       short version: 5 s + 4 s load phases, 10 Azure VMs in the forecast benchmark
  --only        run only these benchmarks (default: all four)
  --triggers    distinct triggers of the load benchmark (default 1000,10000)
  --rounds      scaler–bare pairs per trigger count; the targets take the median (default 1)
  --concurrency closed-loop pollers, one phase each; each server's throughput is its best (default 32,64,128)
  --soak        also hold 10,000-trigger load this long and report live-heap and RSS growth (e.g. 10m)
  --max-old-space-size
                the scaler's V8 heap limit in MiB (default: the chart's scaler.heapLimitMiB; 0: V8's)
  --profile     write a CPU profile and a heap snapshot of each scaler process to DIR
  --data-dir    trace folder of the forecast and simulate benchmarks (default ../shared/data, or
                BENCH_DATA_DIR)
  --traces      trace families of the forecast benchmark's accuracy, long-horizon and bound sections
                (default: both)`;

const BENCHES = ['load', 'sources', 'forecast', 'simulate'] as const;
type BenchName = (typeof BENCHES)[number];

interface Selected {
  json: boolean;
  quick: boolean;
  only: BenchName[];
  dataDir: string;
  /** Names given to --traces, checked by the forecast benchmark. */
  traces?: string[];
  argv: string[];
}

function parse(argv: string[]): Selected | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      triggers: { type: 'string' },
      rounds: { type: 'string' },
      soak: { type: 'string' },
      concurrency: { type: 'string' },
      'max-old-space-size': { type: 'string' },
      profile: { type: 'string' },
      'data-dir': { type: 'string' },
      traces: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = (values.only ?? BENCHES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`--only: unknown benchmark ${unknown.join(', ')}; one of ${BENCHES.join(', ')}`);
  return {
    json: values.json,
    quick: values.quick,
    only: only as BenchName[],
    dataDir: path.resolve(
      values['data-dir'] ?? process.env.BENCH_DATA_DIR ?? path.resolve(__dirname, '../../shared/data'),
    ),
    ...(values.traces === undefined ? {} : { traces: values.traces.split(',').map((name) => name.trim()) }),
    argv,
  };
}

/** Loads `bench/<name>.bench` when it is there; undefined when it is not. */
async function loadBench(name: string): Promise<Record<string, unknown> | undefined> {
  const file = path.join(__dirname, `${name}.bench`);
  if (!['.ts', '.js'].some((ext) => existsSync(file + ext))) return undefined;
  return (await import(file)) as Record<string, unknown>;
}

type BenchFunction = (options: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Each benchmark's module, exported function and options. */
const RUNNERS: Record<BenchName, { exported: string; options: (s: Selected) => Record<string, unknown> }> = {
  load: {
    exported: 'runLoadBench',
    options: (s) => ({ ...loadBenchOptionsFromArgs(s.argv), quick: s.quick }),
  },
  sources: { exported: 'runSourcesBench', options: (s) => (s.quick ? { reads: 50 } : {}) },
  forecast: {
    exported: 'runForecastBench',
    options: (s) => ({
      dataDir: s.dataDir,
      quick: s.quick,
      ...(s.traces === undefined ? {} : { traces: s.traces }),
    }),
  },
  simulate: { exported: 'runSimulateBench', options: (s) => ({ dataDir: s.dataDir }) },
};

async function runBench(name: BenchName, selected: Selected): Promise<Record<string, unknown>> {
  const { exported, options } = RUNNERS[name];
  const module = await loadBench(name);
  const fn = module?.[exported];
  if (typeof fn !== 'function')
    return { skipped: `bench/${name}.bench.ts (${exported}) is not in this tree` };
  return (fn as BenchFunction)(options(selected));
}

async function main(): Promise<number> {
  let selected: Selected | 'help';
  try {
    selected = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (selected === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // Benchmarks print progress; only the final object may reach stdout.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const started = new Date();
  const result: Record<string, unknown> = {
    date: started.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
  };
  let failed = false;
  try {
    for (const name of selected.only) {
      const began = performance.now();
      process.stderr.write(`bench: ${name}\n`);
      try {
        result[name] = await runBench(name, selected);
      } catch (error) {
        failed = true;
        result[name] = { failed: error instanceof Error ? error.message : String(error) };
      }
      process.stderr.write(`bench: ${name} done in ${Math.round((performance.now() - began) / 1000)} s\n`);
    }
  } finally {
    process.stdout.write = stdoutWrite;
  }
  result.durationS = Math.round((Date.now() - started.getTime()) / 1000);
  process.stdout.write(`${JSON.stringify(result, null, selected.json ? undefined : 2)}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
