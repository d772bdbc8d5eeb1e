/** Writes samples of one gauge in OpenMetrics text, the input of `promtool tsdb create-blocks-from openmetrics`. */
export function openMetricsGauge(
  name: string,
  samples: Array<[timeMs: number, value: number]>,
  labels = '',
): string {
  const lines = [`# TYPE ${name} gauge`];
  const selector = labels === '' ? name : `${name}{${labels}}`;
  for (const [timeMs, value] of samples) lines.push(`${selector} ${value} ${(timeMs / 1000).toFixed(3)}`);
  lines.push('# EOF', '');
  return lines.join('\n');
}

/** A deterministic daily pattern: `high` for `busyMs` from `riseAtMs` each day, `low` otherwise, with noise. */
export function dailyPattern(options: {
  fromMs: number;
  toMs: number;
  stepMs: number;
  riseAtMs: number;
  busyMs: number;
  low: number;
  high: number;
  noise: number;
  seed?: number;
}): Array<[number, number]> {
  let seed = options.seed ?? 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const day = 86_400_000;
  const rise = ((options.riseAtMs % day) + day) % day;
  const samples: Array<[number, number]> = [];
  for (let t = options.fromMs; t < options.toMs; t += options.stepMs) {
    const busy = ((((t % day) - rise) % day) + day) % day < options.busyMs;
    samples.push([t, (busy ? options.high : options.low) + (random() - 0.5) * options.noise]);
  }
  return samples;
}
