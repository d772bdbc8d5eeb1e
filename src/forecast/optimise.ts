/** Result of a minimisation. */
export interface Minimum {
  x: Float64Array;
  value: number;
  evaluations: number;
}

export interface NelderMeadOptions {
  /** Initial simplex edge length along each axis. @default 0.5 */
  step?: number;
  /** @default 200 */
  maxEvaluations?: number;
  /** Stop when the simplex's values differ by less than this (relative). @default 1e-7 */
  tolerance?: number;
}

/**
 * Nelder-Mead simplex minimisation (standard coefficients: reflection 1, expansion 2, contraction 0.5,
 * shrink 0.5). Derivative-free, so it suits the Holt-Winters one-step SSE, which is smooth but whose
 * gradient would cost a second pass over the data. Bound the parameters by transforming them.
 */
export function nelderMead(
  objective: (x: Float64Array) => number,
  start: ArrayLike<number>,
  options: NelderMeadOptions = {},
): Minimum {
  const dimension = start.length;
  const step = options.step ?? 0.5;
  const maxEvaluations = options.maxEvaluations ?? 200;
  const tolerance = options.tolerance ?? 1e-7;
  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    const v = objective(x);
    return Number.isNaN(v) ? Infinity : v;
  };

  const points: Float64Array[] = [];
  const values: number[] = [];
  for (let i = 0; i <= dimension; i++) {
    const point = Float64Array.from(start);
    if (i > 0) point[i - 1] = (point[i - 1] as number) + step;
    points.push(point);
    values.push(evaluate(point));
  }
  const order = Array.from({ length: dimension + 1 }, (_, i) => i);
  const centroid = new Float64Array(dimension);
  const along = (from: Float64Array, towards: Float64Array, factor: number): Float64Array => {
    const out = new Float64Array(dimension);
    for (let d = 0; d < dimension; d++) {
      out[d] = (from[d] as number) + factor * ((towards[d] as number) - (from[d] as number));
    }
    return out;
  };

  while (evaluations < maxEvaluations) {
    order.sort((a, b) => (values[a] as number) - (values[b] as number));
    const best = order[0] as number;
    const worst = order[dimension] as number;
    const secondWorst = order[dimension - 1] as number;
    const spread = Math.abs((values[worst] as number) - (values[best] as number));
    if (spread <= tolerance * (Math.abs(values[best] as number) + 1e-300)) break;

    centroid.fill(0);
    for (let i = 0; i < dimension; i++) {
      const point = points[order[i] as number] as Float64Array;
      for (let d = 0; d < dimension; d++)
        centroid[d] = (centroid[d] as number) + (point[d] as number) / dimension;
    }
    const worstPoint = points[worst] as Float64Array;
    const reflected = along(centroid, worstPoint, -1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < (values[best] as number)) {
      const expanded = along(centroid, worstPoint, -2);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) {
        points[worst] = expanded;
        values[worst] = expandedValue;
      } else {
        points[worst] = reflected;
        values[worst] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < (values[secondWorst] as number)) {
      points[worst] = reflected;
      values[worst] = reflectedValue;
      continue;
    }
    const outside = reflectedValue < (values[worst] as number);
    const contracted = outside ? along(centroid, reflected, 0.5) : along(centroid, worstPoint, 0.5);
    const contractedValue = evaluate(contracted);
    if (contractedValue < Math.min(reflectedValue, values[worst] as number)) {
      points[worst] = contracted;
      values[worst] = contractedValue;
      continue;
    }
    const bestPoint = points[best] as Float64Array;
    for (let i = 0; i <= dimension; i++) {
      if (i === best) continue;
      points[i] = along(bestPoint, points[i] as Float64Array, 0.5);
      values[i] = evaluate(points[i] as Float64Array);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= dimension; i++)
    if ((values[i] as number) < (values[bestIndex] as number)) bestIndex = i;
  return { x: points[bestIndex] as Float64Array, value: values[bestIndex] as number, evaluations };
}

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
