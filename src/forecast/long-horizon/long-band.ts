import { isMissing as isMissingValue } from '../../anomaly/robust-stats';
import { ErrorAccumulator, maseScale, pinballLoss } from '../metrics';
import type { Transform } from '../transform';
import type { HorizonBands } from './horizon-bands';
import {
  applyResidual,
  bandsFromResiduals,
  binEndsFor,
  boundResidual,
  leadBins,
  orderStatistic,
} from './horizon-bands';
import { IDENTITY, toModelScale as toModelScaleOf } from '../transform';
import type { Profile, ProfileMethod, ProfilePeriods } from './profile-methods';
import {
  LAST_VALUE_PROFILE,
  PROFILE_BASELINES,
  PROFILE_METHODS,
  filledProfile,
  profileMethod,
} from './profile-methods';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;
const toModelScale = toModelScaleOf;

/** Newest backtest origins a selection scores, a day apart (their two-day windows overlap). */
const SELECTION_ORIGINS = 10;
/** Members of the shipped combination: the best few, averaged. */
const COMBINED_MEMBERS = 3;
/** sMAPE (in %) is divided by this before it is added to MASE, so both weigh about the same. */
const SMAPE_WEIGHT = 10;

/** What the long band is trained with. */
export interface LongBandSetup {
  /** Anomaly-filtered blocks: what profiles are built from. */
  filtered: Float64Array;
  /** Blocks as observed: what forecasts are scored against. */
  observed: Float64Array;
  periods: ProfilePeriods;
  /**
   * Whether the series showed a season. With one, the baselines to beat are the seasonal naive ones: last
   * value is what the scaler does live-only, never an answer days ahead. Without, last value is a
   * candidate like the others.
   */
  seasonal: boolean;
  /**
   * Whether seasonality detection found a weekly pattern. Without one, methods that read last week are
   * left out: they would only copy last week's one-off events (a match, a release) into next week.
   */
  weekly: boolean;
  /** Leads (blocks) each selection origin is scored over: the horizon the band is chosen for. */
  selectionHorizon: number;
  /** Longest lead (blocks) the bands are calibrated at; longer leads hold the last band. */
  calibrationHorizon: number;
  quantile: number;
  /** The model's transform: one of the scales the bands may be calibrated in, the signal's own the other. */
  transform: Transform;
  /** A number of blocks as the series' own time reads (`2d`, `48 steps`), for the reason. */
  formatLeads: (blocks: number) => string;
}

/** The long band of a trained model: plain JSON. */
export interface LongBandState {
  /** Profile methods averaged into the forecast (one: that method alone). */
  members: string[];
  periods: ProfilePeriods;
  /** Bands per forecast level: `bands[i]` serves forecasts above `i` of `levelEdges`. */
  bands: HorizonBands[];
  /** Forecast values (signal units, ascending) that split the levels; empty: one band for every level. */
  levelEdges: number[];
  /** Scale the bands' residuals are in (see `backtestLongBand`). */
  bandScale: Transform;
}

/** Backtest figures of the long band at one reported lead. */
export interface LongBandScore {
  /** Lead, in blocks. */
  lead: number;
  mase: number;
  smape: number;
  /** Mean pinball loss of the upper bound, in units of the MASE scale (lower is better). */
  pinball: number;
  /** Share of actuals at or below the upper bound, calibrated on the older half of the origins. */
  coverage: number;
  samples: number;
}

export interface LongBandResult {
  state: LongBandState;
  /** Name of what ships: a method, or `combination(a+b+c)`. */
  method: string;
  reason: string;
  /** Backtest figures of what ships, at the reported leads. */
  scores: LongBandScore[];
}

/**
 * Chooses the long-horizon forecast by a rolling-origin backtest at its own horizon: every profile method
 * forecasts `selectionHorizon` blocks from each of the ten newest origins, a day apart; a method's score
 * at an origin is its MASE + sMAPE/10 over that window, relative to the seasonal naive forecast's at the
 * same origin (so methods that need more history, scored on fewer origins, stay comparable). "Same time
 * yesterday" is the answer unless "same time last week" or the mean of the best three methods beats it
 * clearly (see `beatsClearly`); of those that do, the better-scored ships. Bands come from the shipped
 * forecast's residuals at every lead (see `backtestLongBand`).
 */
export function trainLongBand(setup: LongBandSetup, reportedLeads: number[]): LongBandResult {
  const { filtered, periods } = setup;
  const n = filtered.length;
  const horizon = Math.max(1, Math.min(setup.selectionHorizon, Math.floor(n / 3)));
  const origins: number[] = [];
  const spacing = Math.max(1, Math.min(horizon, periods.day));
  for (let i = 1; i <= SELECTION_ORIGINS; i++) {
    const origin = n - 1 - horizon - (i - 1) * spacing;
    if (origin < 0) break;
    origins.push(origin);
  }
  const seasonal = setup.seasonal && periods.day >= 2 && origins.some((o) => o + 1 >= periods.day);
  const reference = seasonal ? 'seasonal-naive-day' : LAST_VALUE_PROFILE.name;
  const scale = maseScale(
    filtered.subarray(0, Math.max(1, origins[origins.length - 1] ?? n)),
    periods.day >= 2 ? periods.day : 1,
  );
  const forecasts = new Map<string, ByOrigin>();
  for (const method of PROFILE_METHODS) {
    if (seasonal && method.name === LAST_VALUE_PROFILE.name) continue;
    if (!setup.weekly && method.readsWeeks) continue;
    const byOrigin: ByOrigin = new Map();
    for (const origin of origins) {
      const profile = filledProfile(method, filtered, origin, periods);
      if (profile !== undefined) byOrigin.set(origin, unrolled(profile, horizon));
    }
    if (byOrigin.size > 0) forecasts.set(method.name, byOrigin);
  }
  const windowScore = (forecast: Float64Array, origin: number): number => {
    const errors = new ErrorAccumulator();
    for (let lead = 1; lead <= horizon; lead++)
      errors.add(forecast[lead - 1] as number, setup.observed[origin + lead] as number);
    return errors.mase(scale) + errors.meanSmape() / SMAPE_WEIGHT;
  };
  const referenceForecasts: ByOrigin = forecasts.get(reference) ?? new Map();
  const relativeScore = (byOrigin: ByOrigin): number =>
    geometricMeanRatio(pairedScores(byOrigin, referenceForecasts, windowScore));
  const ranked = [...forecasts.entries()]
    .map(([method, byOrigin]) => ({ method, score: relativeScore(byOrigin) }))
    .filter((c) => Number.isFinite(c.score))
    .sort((a, b) => a.score - b.score);
  const baselines = ranked.filter((c) => PROFILE_BASELINES.includes(c.method));
  // The answer starts at "same time yesterday" (or the best baseline without a season) and changes only
  // for a challenger that beats it clearly: a few two-day windows are a noisy judge, and a weekly
  // profile or an average that won by luck on them can lose badly on the next day.
  const answer = seasonal ? (baselines.find((c) => c.method === reference) ?? baselines[0]) : baselines[0];
  const over = `over the next ${setup.formatLeads(horizon)} from ${origins.length} origins`;
  if (answer === undefined) {
    const reason =
      origins.length === 0
        ? 'too little history for a backtest: last value'
        : `nothing could be backtested ${over}`;
    return shipLongBand([LAST_VALUE_PROFILE.name], reason, setup, reportedLeads);
  }
  const incumbent = forecasts.get(answer.method) as ByOrigin;
  const beatsIncumbent = (byOrigin: ByOrigin, tie: TieRule): boolean =>
    beatsClearly(pairedScores(byOrigin, incumbent, windowScore), tie);
  const challengers: Array<{ members: string[]; score: number }> = [];
  const week = baselines.find((c) => c.method === 'seasonal-naive-week');
  if (seasonal && week !== undefined && beatsIncumbent(forecasts.get(week.method) as ByOrigin, 'typical')) {
    challengers.push({ members: [week.method], score: week.score });
  }
  const members = ranked.slice(0, COMBINED_MEMBERS).map((c) => c.method);
  if (members.length > 1) {
    const combined: ByOrigin = new Map();
    for (const origin of origins) {
      const parts = members
        .map((m) => forecasts.get(m)?.get(origin))
        .filter((f): f is Float64Array => f !== undefined);
      if (parts.length > 0) combined.set(origin, averageOf(parts));
    }
    if (beatsIncumbent(combined, 'window')) challengers.push({ members, score: relativeScore(combined) });
  }
  const best = challengers.reduce<{ members: string[]; score: number } | undefined>(
    (a, b) => (a === undefined || b.score < a.score ? b : a),
    undefined,
  );
  if (best === undefined) {
    const reason = `nothing beat ${answer.method} clearly ${over}: it is the answer`;
    return shipLongBand([answer.method], reason, setup, reportedLeads);
  }
  const reason = `${bandName(best.members)} beat ${answer.method} clearly ${over} (score ${best.score.toFixed(3)}, relative to ${reference})`;
  return shipLongBand(best.members, reason, setup, reportedLeads);
}

/** The long band that ships `members`, with its calibration backtest. */
/**
 * The long band of a model whose scaling band reaches as far as it was asked to (the simulator's, which
 * asks for nothing beyond `horizon`): the band never answers, so its reference baseline ships without a
 * selection, calibrated as any band is.
 */
export function baselineLongBand(setup: LongBandSetup, reportedLeads: number[]): LongBandResult {
  const { filtered, periods } = setup;
  const seasonal = setup.seasonal && periods.day >= 2 && filtered.length >= periods.day;
  const reference = seasonal ? 'seasonal-naive-day' : LAST_VALUE_PROFILE.name;
  return shipLongBand(
    [reference],
    'not selected: the scaling band reaches as far as forecasts were asked for',
    setup,
    reportedLeads,
  );
}

function shipLongBand(
  members: string[],
  reason: string,
  setup: LongBandSetup,
  reportedLeads: number[],
): LongBandResult {
  const { periods } = setup;
  const backtest = backtestLongBand({ members, periods }, setup, reportedLeads);
  return {
    state: {
      members,
      periods,
      bands: backtest.bands,
      levelEdges: backtest.levelEdges,
      bandScale: backtest.bandScale,
    },
    method: bandName(members),
    reason,
    scores: backtest.scores,
  };
}

/**
 * Point forecasts for leads 1..`leads` from block `origin` of `values`, written to `out`. A member whose
 * history is too short is left out; with none left, the last value is held.
 */
export function predictLongBand(
  state: Pick<LongBandState, 'members' | 'periods'>,
  values: ArrayLike<number>,
  origin: number,
  leads: number,
  out: Float64Array,
): void {
  const profiles: Profile[] = [];
  for (const name of state.members) {
    const profile = filledProfile(profileMethod(name), values, origin, state.periods);
    if (profile !== undefined) profiles.push(profile);
  }
  if (profiles.length === 0) {
    const last = filledProfile(profileMethod('last-value'), values, origin, state.periods);
    profiles.push(last ?? Float64Array.of(NaN));
  }
  for (let lead = 1; lead <= leads; lead++) {
    let sum = 0;
    for (const profile of profiles) sum += profile[(lead - 1) % profile.length] as number;
    out[lead - 1] = sum / profiles.length;
  }
}

/** Calibration origins at most: past this, origins are spaced further apart than an hour. */
const MAX_CALIBRATION_ORIGINS = 400;

/** The backtest pairs a calibration keeps: one per (origin, lead) sampled, in parallel arrays. */
interface CalibrationPairs {
  count: number;
  bin: Int32Array;
  forecast: Float64Array;
  actual: Float64Array;
  /** The actual came before the newer half of the origins: the older half's bands may use it. */
  older: Uint8Array;
  /** The origin is in the newer half: the older half's bands are checked on it. */
  newer: Uint8Array;
}

/**
 * One pass over the calibration origins (one an hour, from the first where a member can forecast): the
 * bands from the residuals (every lead of the first six hours, one an hour after), and at `reportedLeads`
 * the MASE, sMAPE, and the coverage and pinball loss of an upper bound calibrated on the older half of the
 * origins, measured on the newer half.
 *
 * How residuals are pooled is chosen on that same split, by the pinball loss of the older half's bounds
 * on the newer half, among:
 * - the scale: the transform's (log for load, whose noise grows with its level) or the signal's own (a
 *   signal that idles and bursts: a burst missed at idle is a huge log error, which a log band would add
 *   on top of every forecast peak);
 * - the levels: one pool, or one per third of the forecast's range (split-conformal per category, as in
 *   Mondrian conformal prediction), so a quiet night and a busy afternoon each get the band their own
 *   errors show.
 */
export function backtestLongBand(
  state: Pick<LongBandState, 'members' | 'periods'>,
  setup: LongBandSetup,
  reportedLeads: number[],
): { bands: HorizonBands[]; levelEdges: number[]; bandScale: Transform; scores: LongBandScore[] } {
  const { filtered, observed, periods, quantile } = setup;
  const n = observed.length;
  const binEnds = binEndsFor(periods, Math.max(1, setup.calibrationHorizon));
  const bins = leadBins(binEnds);
  const maxLead = Math.max(binEnds[binEnds.length - 1] as number, ...reportedLeads);
  // Calibration starts as soon as one member can forecast (the others join as their history allows), so
  // that even a short history yields residuals days ahead: early origins, with fewer members averaged,
  // err a little more, which errs on the side of wider bands.
  const first = Math.min(...state.members.map((name) => profileMethod(name).historyBlocks(periods))) - 1;
  const hour = Math.max(1, Math.round(periods.day / 24));
  const stride = Math.max(hour, Math.ceil((n - 1 - first) / MAX_CALIBRATION_ORIGINS));
  // Past the first six hours, one lead an hour is residual enough: neighbouring leads of one origin err
  // almost alike, and the origins, an hour or more apart, already sample every time of day.
  const denseLeads = 6 * hour;
  const origins: number[] = [];
  for (let origin = first; origin < n - 1; origin += stride) origins.push(origin);
  const middle = origins[Math.floor(origins.length / 2)] ?? n;
  const capacity = origins.length * (Math.min(maxLead, denseLeads) + Math.ceil(maxLead / hour) + 1);
  const pairs: CalibrationPairs = {
    count: 0,
    bin: new Int32Array(capacity),
    forecast: new Float64Array(capacity),
    actual: new Float64Array(capacity),
    older: new Uint8Array(capacity),
    newer: new Uint8Array(capacity),
  };
  const reported = reportedLeads.map(() => ({
    origins: [] as number[],
    forecasts: [] as number[],
    actuals: [] as number[],
  }));
  const forecast = new Float64Array(maxLead);
  for (const origin of origins) {
    const leads = Math.min(maxLead, n - 1 - origin);
    predictLongBand(state, filtered, origin, leads, forecast);
    for (let lead = 1; lead <= leads; lead += lead < denseLeads ? 1 : hour) {
      const actual = observed[origin + lead] as number;
      const f = forecast[lead - 1] as number;
      if (isMissing(actual) || isMissing(f)) continue;
      const k = pairs.count++;
      pairs.bin[k] = bins.binOf(lead);
      pairs.forecast[k] = f;
      pairs.actual[k] = actual;
      pairs.older[k] = origin + lead <= middle ? 1 : 0;
      pairs.newer[k] = origin >= middle ? 1 : 0;
    }
    reportedLeads.forEach((lead, i) => {
      if (lead > leads) return;
      const record = reported[i] as { origins: number[]; forecasts: number[]; actuals: number[] };
      record.origins.push(origin);
      record.forecasts.push(forecast[lead - 1] as number);
      record.actuals.push(observed[origin + lead] as number);
    });
  }

  const scales = setup.transform.kind === 'identity' ? [IDENTITY] : [setup.transform, IDENTITY];
  const residualsIn = new Map(scales.map((scale) => [scale, residualsOf(pairs, scale)]));
  const tertiles = levelEdgesOf(pairs);
  const heldOut = scales.flatMap((bandScale) =>
    [[], tertiles].map((levelEdges) => {
      const residuals = residualsIn.get(bandScale) as Float64Array;
      const bands = levelledBands(pairs, residuals, binEnds, levelEdges, quantile, true);
      let loss = 0;
      for (let k = 0; k < pairs.count; k++) {
        if (pairs.newer[k] === 0) continue;
        const f = pairs.forecast[k] as number;
        const band = bands[levelOf(levelEdges, f)] as HorizonBands;
        const upper = applyResidual(bandScale, f, band.upper[pairs.bin[k] as number] as number);
        loss += pinballLoss(pairs.actual[k] as number, upper, quantile);
      }
      return { bandScale, levelEdges, bands, loss };
    }),
  );
  // Ties (no newer half to check on) go to the first: the transform's scale, one pool.
  const chosen = heldOut.reduce((best, candidate) => (candidate.loss < best.loss ? candidate : best));
  const { bandScale, levelEdges } = chosen;
  const olderState = { bands: chosen.bands, levelEdges, bandScale };

  const scale = maseScale(filtered, periods.day >= 2 ? periods.day : 1);
  const scores = reportedLeads.map((lead, i): LongBandScore => {
    const record = reported[i] as { origins: number[]; forecasts: number[]; actuals: number[] };
    const errors = new ErrorAccumulator();
    const coverage = new ErrorAccumulator();
    let pinball = 0;
    record.origins.forEach((origin, k) => {
      const f = record.forecasts[k] as number;
      const actual = record.actuals[k] as number;
      errors.add(f, actual);
      if (origin < middle || isMissing(actual) || isMissing(f)) return;
      // As in the forecast itself: the bound never falls below the point forecast (rounding in the log scale).
      const upper = Math.max(f, boundAt(olderState, f, lead, 'upper'));
      coverage.add(f, actual, upper);
      pinball += pinballLoss(actual, upper, quantile);
    });
    return {
      lead,
      mase: errors.mase(scale),
      smape: errors.meanSmape(),
      pinball: coverage.samples === 0 ? NaN : pinball / coverage.samples / scale,
      coverage: coverage.coverage(),
      samples: errors.samples,
    };
  });
  const residuals = residualsIn.get(bandScale) as Float64Array;
  const bands = levelledBands(pairs, residuals, binEnds, levelEdges, quantile, false);
  return { bands, levelEdges, bandScale, scores };
}

/** Levels are split off only when each would hold this many residuals: fewer make a band rest on too little. */
const MIN_LEVEL_RESIDUALS = 200;

/** The forecast values that cut the pairs into three equal levels, or none when a level would be thin. */
function levelEdgesOf(pairs: CalibrationPairs): number[] {
  if (pairs.count < 3 * MIN_LEVEL_RESIDUALS) return [];
  const forecasts = pairs.forecast.slice(0, pairs.count);
  const edges = [
    orderStatistic(forecasts, Math.floor(pairs.count / 3)),
    orderStatistic(forecasts, Math.floor((2 * pairs.count) / 3)),
  ];
  // A forecast that is mostly one value (a flat profile) has no levels to tell apart.
  return edges[0] === edges[1] || edges[0] === orderStatistic(forecasts, 0) ? [] : edges;
}

/** Each pair's residual (actual − forecast) in `scale`. */
function residualsOf(pairs: CalibrationPairs, scale: Transform): Float64Array {
  const out = new Float64Array(pairs.count);
  for (let k = 0; k < pairs.count; k++) {
    out[k] =
      toModelScale(scale, pairs.actual[k] as number) - toModelScale(scale, pairs.forecast[k] as number);
  }
  return out;
}

/** The level of a forecast: how many of `edges` lie below it. */
export function levelOf(edges: readonly number[], forecast: number): number {
  let level = 0;
  while (level < edges.length && forecast > (edges[level] as number)) level++;
  return level;
}

/** Bands per level from the pairs' `residuals` (the older half's only, with `olderOnly`). */
function levelledBands(
  pairs: CalibrationPairs,
  residuals: Float64Array,
  binEnds: number[],
  levelEdges: number[],
  quantile: number,
  olderOnly: boolean,
): HorizonBands[] {
  const byLevel: number[][][] = Array.from({ length: levelEdges.length + 1 }, () => binEnds.map(() => []));
  for (let k = 0; k < pairs.count; k++) {
    if (olderOnly && pairs.older[k] === 0) continue;
    const level = levelOf(levelEdges, pairs.forecast[k] as number);
    ((byLevel[level] as number[][])[pairs.bin[k] as number] as number[]).push(residuals[k] as number);
  }
  return byLevel.map((byBin) => bandsFromResiduals(binEnds, byBin, quantile));
}

/** The `side` bound of point forecast `forecast` at `lead` (blocks): its level's band, in the bands' scale. */
export function boundAt(
  state: Pick<LongBandState, 'bands' | 'levelEdges' | 'bandScale'>,
  forecast: number,
  lead: number,
  side: 'lower' | 'upper',
): number {
  return applyResidual(state.bandScale, forecast, levelResidual(state, forecast, lead, side));
}

/** The residual bound of `side` for a forecast of `forecast` at `lead` (blocks), from its level's band. */
export function levelResidual(
  state: Pick<LongBandState, 'bands' | 'levelEdges'>,
  forecast: number,
  lead: number,
  side: 'lower' | 'upper',
): number {
  const bands = state.bands[levelOf(state.levelEdges, forecast)] ?? state.bands[0];
  return bands === undefined ? 0 : boundResidual(bands, lead, side);
}

/** The first origin at which every member of `members` has its history. */
export function firstOriginFor(members: string[], periods: ProfilePeriods): number {
  let blocks = 1;
  for (const name of members) blocks = Math.max(blocks, profileMethod(name).historyBlocks(periods));
  return blocks - 1;
}

/** What ships, by name: the method alone, or `combination(a+b+c)`. */
function bandName(members: string[]): string {
  return members.length === 1 ? (members[0] as string) : combinationName(members);
}

export function combinationName(members: string[]): string {
  return `combination(${members.join('+')})`;
}

/** A challenger must err less than this share of the incumbent's score, on average over the origins. */
const CLEAR_RATIO = 0.97;
/** ... and may lose at no more than this share of the origins (none), */
const CLEAR_LOSSES = 0;
/**
 * ... a loss being a window score above the incumbent's by more than this share of a reference score
 * (less is a tie: where both only err by noise, which is lower is chance). See `TieRule`.
 */
const TIE = 0.1;

/**
 * What a window's loss is measured against:
 * - `typical`: the incumbent's mean window score. For "same time last week", a baseline with nothing
 *   fitted: on windows where it and "yesterday" both only err by noise (two weekdays), their ratio
 *   swings by more than a tenth either way, and that is no evidence against it.
 * - `window`: the incumbent's score at that window. For the combination, whose members were picked on
 *   these same windows, so its backtest flatters it: it must not err a tenth more anywhere, quiet windows
 *   included. On a signal whose pattern breaks (WorldCup98's match days) a combination that lost a quiet
 *   window by a fifth was the one that lost the next day.
 */
type TieRule = 'typical' | 'window';

/** Forecasts from several origins, by origin. */
type ByOrigin = Map<number, Float64Array>;

/**
 * The window scores of `challenger` and `incumbent` at the origins both forecast. Floored above 0: an
 * incumbent with no error (a strictly periodic series) must still rank the others, an exact tie staying
 * a tie.
 */
function pairedScores(
  challenger: ByOrigin,
  incumbent: ByOrigin,
  windowScore: (forecast: Float64Array, origin: number) => number,
): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (const [origin, forecast] of challenger) {
    const base = incumbent.get(origin);
    if (base === undefined) continue;
    const own = windowScore(forecast, origin);
    const theirs = windowScore(base, origin);
    if (own >= 0 && theirs >= 0) pairs.push([Math.max(own, 1e-9), Math.max(theirs, 1e-9)]);
  }
  return pairs;
}

/** The geometric mean of own / theirs over the pairs; Infinity without any. */
function geometricMeanRatio(pairs: Array<[number, number]>): number {
  if (pairs.length === 0) return Infinity;
  let logSum = 0;
  for (const [own, theirs] of pairs) logSum += Math.log(own / theirs);
  return Math.exp(logSum / pairs.length);
}

/**
 * Whether the challenger of the pairs beats the incumbent clearly: lower by a margin on (geometric)
 * average, and worse than a tie at few origins.
 */
function beatsClearly(pairs: Array<[number, number]>, tie: TieRule): boolean {
  if (pairs.length === 0) return false;
  let typical = 0;
  for (const [, theirs] of pairs) typical += theirs / pairs.length;
  const losses = pairs.filter(
    ([own, theirs]) => own - theirs > TIE * (tie === 'window' ? theirs : typical),
  ).length;
  return geometricMeanRatio(pairs) < CLEAR_RATIO && losses <= CLEAR_LOSSES * pairs.length;
}

function unrolled(profile: Profile, leads: number): Float64Array {
  const out = new Float64Array(leads);
  for (let lead = 1; lead <= leads; lead++) out[lead - 1] = profile[(lead - 1) % profile.length] as number;
  return out;
}

function averageOf(parts: Float64Array[]): Float64Array {
  const out = new Float64Array((parts[0] as Float64Array).length);
  for (const part of parts)
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (part[i] as number);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / parts.length;
  return out;
}

export type { ProfileMethod };
