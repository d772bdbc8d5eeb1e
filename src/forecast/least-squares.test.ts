import { NormalEquations, ridgeLeastAbsolute } from './least-squares';
import { gaussian, seededRandom } from './synthetic-series';

describe('least squares', () => {
  it('recovers known coefficients from normal equations', () => {
    const equations = new NormalEquations(3);
    const normal = gaussian(seededRandom(2));
    for (let i = 0; i < 500; i++) {
      const x = [1, normal(), normal()];
      equations.addRow(x, 2 + 3 * (x[1] as number) - (x[2] as number));
    }
    const beta = equations.solve([0, 0, 0]);
    expect(Array.from(beta).map((b) => Math.round(b * 1e6) / 1e6)).toEqual([2, 3, -1]);
  });

  it('survives a column of zeros (singular system) with a zero weight for it', () => {
    const equations = new NormalEquations(2);
    for (let i = 0; i < 10; i++) equations.addRow([i, 0], 2 * i);
    const beta = equations.solve([0, 0]);
    expect(beta[0]).toBeCloseTo(2, 9);
    expect(beta[1]).toBe(0);
  });

  it('least absolute deviations ignore gross outliers that pull least squares', () => {
    const random = seededRandom(3);
    const rows = 400;
    const x = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      x[2 * r] = 1;
      x[2 * r + 1] = random() * 10;
      y[r] = 1 + 0.5 * (x[2 * r + 1] as number) + (random() - 0.5) * 0.1 + (r % 10 === 0 ? 50 : 0);
    }
    const lad = ridgeLeastAbsolute(x, y, 2, [0, 0], 20);
    const ls = ridgeLeastAbsolute(x, y, 2, [0, 0], 0);
    expect(lad[0]).toBeCloseTo(1, 1);
    expect(lad[1]).toBeCloseTo(0.5, 1);
    expect(Math.abs((ls[0] as number) - 1)).toBeGreaterThan(3);
  });

  it('shrinks towards zero with a strong ridge penalty', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i / 100);
    const y = Float64Array.from({ length: 100 }, (_, i) => (3 * i) / 100);
    const weak = ridgeLeastAbsolute(x, y, 1, [1e-9], 0);
    const strong = ridgeLeastAbsolute(x, y, 1, [1e4], 0);
    expect(weak[0]).toBeCloseTo(3, 6);
    expect(Math.abs(strong[0] as number)).toBeLessThan(0.1);
  });
});
