/**
 * `npm run demo`: replays two weeks of the 1998 World Cup web site's traffic (bundled in data/worldcup98)
 * through the simulator, prints the comparison of reactive, predictive and oracle scaling, and writes a
 * chart to out/demo-worldcup98.svg. Needs nothing but a clone and `npm install`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { EXIT_OK, PROCESS_IO, runAsProcess, wantsHelp } from './args';
import { runSimulateCli } from './simulate';

export const DEMO_USAGE =
  'usage: npm run demo\n' +
  '  replays data/worldcup98 through the simulator (reactive, predictive, oracle) and writes\n' +
  '  out/demo-worldcup98.svg. Takes no other flags.';

const ROOT = path.resolve(__dirname, '../..');
const TRACE = path.join(ROOT, 'data/worldcup98/requests-1998-06-01-to-14-5min.csv');
const OUT_DIR = path.join(ROOT, 'out');
const SVG = path.join(OUT_DIR, 'demo-worldcup98.svg');

/** Target and startup: peak load (~2,100 requests/s) needs about 21 replicas; pods take 3 minutes to serve. */
const ARGS = [
  '--trace',
  TRACE,
  '--value-column',
  'requests_per_second',
  '--time-column',
  'time',
  '--target',
  '100',
  '--startup',
  '180',
  '--svg',
  SVG,
];

export async function runDemo(
  out: (line: string) => void,
  err: (line: string) => void,
  argv: string[] = [],
): Promise<number> {
  if (wantsHelp(argv)) {
    out(DEMO_USAGE);
    return EXIT_OK;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  out('WorldCup98, 1-14 June 1998: requests per second (5-minute means), 100 requests/s per replica,');
  out('pods serve 180 s after they are created. The predictive strategy learns online from the past of');
  out('the trace and retrains every hour of trace time, as the scaler does: this takes a few seconds.');
  out('');
  const code = await runSimulateCli(ARGS, out, (line) => {
    // The chart's path is the demo's own last line; other notes still reach stderr.
    if (!line.startsWith('simulate: chart written')) err(line);
  });
  if (code === 0) {
    out('');
    out(`chart: ${path.relative(process.cwd(), SVG) || SVG}`);
  }
  return code;
}

if (require.main === module) {
  runAsProcess('demo', () => runDemo(PROCESS_IO.out, PROCESS_IO.err, process.argv.slice(2)));
}
