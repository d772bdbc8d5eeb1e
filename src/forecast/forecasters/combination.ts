import type { Transform } from '../transform';
import { fromModelScale, toModelScale } from '../transform';
import type { FitSpec, Forecaster, ModelSeries } from './forecaster';

/** The members' own parameters, by method name. */
export interface CombinationParams {
  transform: Transform;
  members: Array<{ method: string; params: unknown }>;
}

export const COMBINATION = 'combination';

/**
 * Equal-weight mean of member forecasts, taken in the model scale (a geometric mean for load): the
 * classic forecast combination, which is rarely worse than its members and often better than the one a
 * short backtest happens to prefer. `resolve` maps a member name to its forecaster (the registry), kept
 * as a parameter so this module does not import the registry that lists it.
 */
export function combinationForecaster(
  memberNames: string[],
  resolve: (name: string) => Forecaster<unknown>,
): Forecaster<CombinationParams> {
  return {
    name: COMBINATION,
    intervalScale: 'transform',
    fit(series: ModelSeries, spec: FitSpec): CombinationParams {
      return {
        transform: spec.transform,
        members: memberNames.map((method) => ({ method, params: resolve(method).fit(series, spec) })),
      };
    },
    predict(params, series, from, to, maxLead, out) {
      const buffers = params.members.map((member) => {
        const buffer = new Float64Array(out.length);
        resolve(member.method).predict(member.params, series, from, to, maxLead, buffer);
        return buffer;
      });
      combineInto(params.transform, buffers, out);
    },
    advance(params, series) {
      return {
        ...params,
        members: params.members.map((member) => {
          const forecaster = resolve(member.method);
          return {
            method: member.method,
            params: forecaster.advance ? forecaster.advance(member.params, series) : member.params,
          };
        }),
      };
    },
  };
}

/** Mean of `members` in the model scale, written to `out`. */
export function combineInto(transform: Transform, members: Float64Array[], out: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const member of members) sum += toModelScale(transform, member[i] as number);
    out[i] = fromModelScale(transform, sum / members.length);
  }
}
