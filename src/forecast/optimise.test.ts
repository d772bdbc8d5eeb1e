import { logistic, logit, nelderMead } from './optimise';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic', () => {
    const { x, value } = nelderMead(
      (p) => ((p[0] as number) - 3) ** 2 + 2 * ((p[1] as number) + 1) ** 2,
      [0, 0],
      {
        maxEvaluations: 400,
        tolerance: 1e-12,
      },
    );
    expect(x[0]).toBeCloseTo(3, 3);
    expect(x[1]).toBeCloseTo(-1, 3);
    expect(value).toBeLessThan(1e-6);
  });

  it('follows the Rosenbrock valley to (1, 1)', () => {
    const rosenbrock = (p: Float64Array): number =>
      100 * ((p[1] as number) - (p[0] as number) ** 2) ** 2 + (1 - (p[0] as number)) ** 2;
    const { x } = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 2000, tolerance: 1e-14 });
    expect(x[0]).toBeCloseTo(1, 2);
    expect(x[1]).toBeCloseTo(1, 2);
  });

  it('stops at the evaluation budget and treats NaN as +∞', () => {
    let calls = 0;
    const { evaluations } = nelderMead(
      (p) => {
        calls++;
        return (p[0] as number) > 5 ? NaN : (p[0] as number) ** 2;
      },
      [4],
      { maxEvaluations: 30 },
    );
    expect(evaluations).toBe(calls);
    expect(calls).toBeLessThanOrEqual(31);
  });

  it('maps bounded parameters through logistic / logit', () => {
    expect(logistic(logit(0.3))).toBeCloseTo(0.3, 12);
    expect(logistic(-50)).toBeGreaterThan(0);
    expect(logistic(50)).toBeLessThanOrEqual(1);
  });
});
