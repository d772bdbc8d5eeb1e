import type { FrontierComparison } from './frontier';
import type { SimulationResult, StrategyResult } from './simulator';

/**
 * One strategy as a JSON-ready object: `strategy`, the six figures, the frontier at its cost (predictive
 * only), then the details.
 */
export function resultRecord(result: StrategyResult): Record<string, unknown> {
  const record: Record<string, unknown> = {
    strategy: result.strategy,
    underProvisionedTimeshare: round(result.underProvisionedTimeshare),
    unservedFraction: round(result.unservedFraction),
    replicaHours: round(result.replicaHours),
    coldStarts: result.coldStarts,
    scaleActionsPerHour: round(result.scaleActionsPerHour),
    forecastMase: result.forecastMase === null ? null : round(result.forecastMase),
    ...(result.frontier ? frontierFields(result.frontier) : {}),
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

/** The frontier's fields of a JSON record: every one present, null where the replay cannot say. */
function frontierFields(comparison: FrontierComparison): Record<string, unknown> {
  const within = comparison.costVsFrontier === 'within' ? comparison : undefined;
  const rounded = (value: number | null | undefined): number | null =>
    value === null || value === undefined ? null : round(value);
  return {
    frontierUnderProvisionedTimeshare: rounded(within?.frontier.underProvisionedTimeshare),
    frontierUnservedFraction: rounded(within?.frontier.unservedFraction),
    underProvisionedVsFrontier: rounded(within?.underProvisionedRatio),
    unservedVsFrontier: rounded(within?.unservedRatio),
    belowFrontier: comparison.belowFrontier,
    costVsFrontier: comparison.costVsFrontier,
  };
}

/**
 * One sentence on `result` against reactive scaling with headroom at its replica-hours, or why there is
 * no such figure; undefined for strategies not compared with the frontier.
 */
export function frontierSummary(result: StrategyResult): string | undefined {
  const comparison = result.frontier;
  if (!comparison) return undefined;
  const cost = `${result.replicaHours.toFixed(1)} replica-h`;
  switch (comparison.costVsFrontier) {
    case 'within': {
      const { frontier, underProvisionedRatio, unservedRatio } = comparison;
      return (
        `${result.strategy} against reactive with headroom at the same cost (${cost}): short of capacity ` +
        `${percent(result.underProvisionedTimeshare)} vs ${percent(frontier.underProvisionedTimeshare)}` +
        `${times(underProvisionedRatio)}, unserved ${percent(result.unservedFraction)} vs ` +
        `${percent(frontier.unservedFraction)}${times(unservedRatio)}: ` +
        (comparison.belowFrontier ? 'below the frontier' : 'not below the frontier')
      );
    }
    case 'cheaper':
    case 'dearer': {
      const { nearest } = comparison;
      const side = comparison.costVsFrontier === 'cheaper' ? 'fewer' : 'more';
      const end = comparison.costVsFrontier === 'cheaper' ? 'cheapest' : 'dearest';
      const verdict =
        comparison.belowFrontier === true
          ? `; short of capacity no more often than ${nearest.strategy}, so below the frontier`
          : comparison.belowFrontier === false
            ? `; short of capacity at least as often as the best headroom point, so not below the frontier`
            : '';
      return (
        `no frontier figure at ${result.strategy}'s cost: ${cost} is ${side} than ${nearest.strategy}'s ` +
        `${nearest.replicaHours.toFixed(1)}, the ${end} headroom point, and the frontier is not ` +
        `extrapolated${verdict}`
      );
    }
    case 'no-frontier':
      return `no frontier figure for ${result.strategy}: the replay ran no reactive strategies`;
  }
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
  const predictive = simulation.results.find((r) => r.strategy === 'predictive');
  const frontier = predictive?.frontier?.costVsFrontier === 'within' ? predictive.frontier : undefined;
  if (predictive && frontier) {
    // Right below predictive's row, so the two compare at a glance.
    rows.splice(simulation.results.indexOf(predictive) + 1, 0, [
      "frontier at predictive's cost",
      percent(frontier.frontier.underProvisionedTimeshare),
      percent(frontier.frontier.unservedFraction),
      predictive.replicaHours.toFixed(1),
      '-',
      '-',
      '-',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  const lines = [line(header), ...rows.map(line)];

  if (predictive) {
    const summary = frontierSummary(predictive);
    if (summary !== undefined) lines.push('', summary);
    if (predictive.training) {
      const t = predictive.training;
      const ahead =
        t.prefetchHits === undefined ? '' : ` (${t.prefetchHits} of them fitted ahead on worker threads)`;
      const drift = t.driftRetrains > 0 ? `, ${t.driftRetrains} asked for by the drift rule` : '';
      lines.push(
        `predictive: a usable model for ${percent(predictive.modelUsedShare ?? 0)} of evaluations; ` +
          `${t.attempts - t.skipped} trainings (${t.saved} saved, ${t.usableSaved} usable, ` +
          `${t.keptPrevious} kept the previous model${drift}) held the replay up ${(t.trainingMs / 1000).toFixed(1)} s` +
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

function times(ratio: number | null): string {
  return ratio === null ? '' : ` (${ratio.toFixed(2)} ×)`;
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}
