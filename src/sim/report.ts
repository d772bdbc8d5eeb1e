import type { SimulationResult, StrategyResult } from './simulator';

/** One strategy as a JSON-ready object: `strategy`, the six figures, then the details. */
export function resultRecord(result: StrategyResult): Record<string, unknown> {
  const record: Record<string, unknown> = {
    strategy: result.strategy,
    underProvisionedTimeshare: round(result.underProvisionedTimeshare),
    unservedFraction: round(result.unservedFraction),
    replicaHours: round(result.replicaHours),
    coldStarts: result.coldStarts,
    scaleActionsPerHour: round(result.scaleActionsPerHour),
    forecastMase: result.forecastMase === null ? null : round(result.forecastMase),
    headroom: result.headroom,
    meanReplicas: round(result.meanReplicas),
    peakReplicas: result.peakReplicas,
  };
  if (result.meanWaitSeconds !== undefined) record.meanWaitSeconds = round(result.meanWaitSeconds);
  if (result.modelUsedShare !== undefined) record.modelUsedShare = round(result.modelUsedShare);
  if (result.training) {
    record.trainings = result.training.attempts - result.training.skipped;
    record.trainingSeconds = round(result.training.trainingMs / 1000);
  }
  return record;
}

/**
 * Under-provisioned timeshare of reactive scaling with headroom at `replicaHours`, interpolated between
 * the reactive points (0, 10, 20, 30 %); undefined outside their range. This is the equal-cost frontier a
 * strategy has to beat: paying the same for plain headroom would buy this much.
 */
export function frontierAt(results: readonly StrategyResult[], replicaHours: number): number | undefined {
  const points = results
    .filter((r) => r.strategy === 'reactive' || r.strategy.startsWith('reactive-headroom-'))
    .map((r) => [r.replicaHours, r.underProvisionedTimeshare] as const)
    .sort((a, b) => a[0] - b[0]);
  for (let i = 0; i + 1 < points.length; i++) {
    const [x0, y0] = points[i] as readonly [number, number];
    const [x1, y1] = points[i + 1] as readonly [number, number];
    if (replicaHours >= x0 && replicaHours <= x1) {
      return x1 === x0 ? Math.min(y0, y1) : y0 + ((replicaHours - x0) / (x1 - x0)) * (y1 - y0);
    }
  }
  return undefined;
}

/** The readable comparison: one row per strategy, then how the predictive strategy's model fared. */
export function comparisonTable(simulation: SimulationResult): string {
  const header = ['strategy', 'short of capacity', 'unserved', 'replica-h', 'cold starts', 'scale/h', 'MASE'];
  const rows = simulation.results.map((r) => [
    r.strategy,
    percent(r.underProvisionedTimeshare),
    percent(r.unservedFraction),
    r.replicaHours.toFixed(1),
    String(r.coldStarts),
    r.scaleActionsPerHour.toFixed(2),
    r.forecastMase === null ? '-' : r.forecastMase.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  const lines = [line(header), ...rows.map(line)];

  const predictive = simulation.results.find((r) => r.strategy === 'predictive');
  if (predictive) {
    const frontier = frontierAt(simulation.results, predictive.replicaHours);
    if (frontier !== undefined) {
      lines.push(
        '',
        `reactive with headroom at predictive's cost (${predictive.replicaHours.toFixed(1)} replica-h) ` +
          `would be short of capacity ${percent(frontier)} of the time`,
      );
    }
    if (predictive.training) {
      const t = predictive.training;
      const ahead =
        t.prefetchHits === undefined ? '' : ` (${t.prefetchHits} of them fitted ahead on worker threads)`;
      lines.push(
        `predictive: a usable model for ${percent(predictive.modelUsedShare ?? 0)} of evaluations; ` +
          `${t.attempts - t.skipped} trainings (${t.saved} saved, ${t.usableSaved} usable, ` +
          `${t.keptPrevious} kept the previous model) held the replay up ${(t.trainingMs / 1000).toFixed(1)} s` +
          ahead,
      );
    }
  }
  if (simulation.results.some((r) => r.strategy === 'oracle')) {
    lines.push(`oracle: demand known ${Math.round(simulation.oracleWindowMs / 1000)} s ahead`);
  }
  return lines.join('\n');
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}
