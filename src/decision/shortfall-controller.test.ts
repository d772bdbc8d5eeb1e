import { gaussian, seededRandom } from '../forecast/synthetic-series';
import { ShortfallController } from './shortfall-controller';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const Z90 = 1.2816;

/**
 * Replays `steps` evaluations 30 s apart of a demand `mean + sigma(t) × noise` against a forecast of
 * `mean` whose band claims `claimedSigma`: the controller buys its bound each step and scores it five
 * minutes later. Returns the misses counted from step `from` on.
 */
function replay(
  controller: ShortfallController,
  steps: number,
  sigma: (step: number) => number,
  claimedSigma: number,
  from = 0,
): { misses: number; scored: number } {
  const noise = gaussian(seededRandom(21));
  const lead = 10; // five minutes of 30 s steps
  const bought: number[] = [];
  let misses = 0;
  let scored = 0;
  for (let i = 0; i < steps; i++) {
    const nowMs = i * 30 * SECOND;
    const actual = 100 + sigma(i) * noise();
    controller.observe(nowMs, actual);
    if (i >= lead && i >= from) {
      scored++;
      if (actual > (bought[i - lead] as number)) misses++;
    }
    const bound = controller.bound(100, 100 + Z90 * claimedSigma);
    bought.push(bound);
    controller.record(nowMs, bound);
  }
  return { misses, scored };
}

const options = { leadMs: 5 * MINUTE, minSpacingMs: 30 * SECOND };

describe('ShortfallController', () => {
  it('converges on the target share short when the band is honest: the factor of the q0.95 / q0.9 widths', () => {
    const controller = new ShortfallController({ ...options, target: 0.05 });
    const { misses, scored } = replay(controller, 40_000, () => 10, 10, 20_000);
    expect(misses / scored).toBeGreaterThan(0.04);
    expect(misses / scored).toBeLessThan(0.06);
    expect(controller.widthFactor()).toBeGreaterThan(1.645 / Z90 - 0.2);
    expect(controller.widthFactor()).toBeLessThan(1.645 / Z90 + 0.2);
  });

  it('narrows a band that claims three times the noise there is', () => {
    const controller = new ShortfallController({ ...options, target: 0.1 });
    const { misses, scored } = replay(controller, 40_000, () => 10, 30, 20_000);
    expect(misses / scored).toBeGreaterThan(0.08);
    expect(misses / scored).toBeLessThan(0.12);
    // The q0.9 of the real noise is a third of the claimed band.
    expect(controller.widthFactor()).toBeGreaterThan(0.2);
    expect(controller.widthFactor()).toBeLessThan(0.5);
  });

  it('keeps the share within its guarantee when the noise triples halfway, whatever the band claims', () => {
    const step = 0.05;
    const maxFactor = 8;
    const controller = new ShortfallController({ ...options, target: 0.05, step, maxFactor });
    replay(controller, 20_000, (i) => (i < 10_000 ? 10 : 30), 10);
    const share = controller.missShare() as number;
    const scored = 20_000 - 10;
    // Every miss moved the factor up by step × 0.95 and every covered moment down by step × 0.05, and
    // it never reached a limit: the share is off the target by exactly the factor's net move.
    expect(share - 0.05).toBeCloseTo((controller.widthFactor() - 1) / (step * scored), 9);
    expect(Math.abs(share - 0.05)).toBeLessThanOrEqual(maxFactor / (step * scored));
    // It followed the noise: three times the honest factor.
    expect(controller.widthFactor()).toBeGreaterThan(3 * (1.645 / Z90) - 0.6);
  });

  it('buys the forecast itself when the band is empty, and never less than the mean', () => {
    const controller = new ShortfallController({ ...options, target: 0.05 });
    expect(controller.bound(100, 100)).toBe(100);
    expect(controller.bound(100, 90)).toBe(100);
    expect(controller.bound(100, 110)).toBe(110);
  });

  it('scores a bound against the whole replicas it buys when it knows what one replica serves', () => {
    const wholeReplicas = new ShortfallController({ ...options, target: 0.05, perReplica: 10 });
    const asked = new ShortfallController({ ...options, target: 0.05 });
    for (const controller of [wholeReplicas, asked]) {
      // 41 asks for 5 replicas (50): a live 45 then is served, though above the value asked for.
      controller.record(0, 41);
      controller.observe(5 * MINUTE, 45);
      // 41 again, and a live 51 then is short of the 5 replicas too.
      controller.record(5 * MINUTE, 41);
      controller.observe(10 * MINUTE, 51);
    }
    expect(wholeReplicas.missShare()).toBe(0.5);
    expect(asked.missShare()).toBe(1);
  });

  it('skips a bound whose moment passed long before the next reading', () => {
    const controller = new ShortfallController({ ...options, target: 0.05 });
    controller.record(0, 100);
    controller.observe(5 * MINUTE + 10 * MINUTE, 1_000);
    expect(controller.missShare()).toBeUndefined();
    expect(controller.widthFactor()).toBe(1);
  });

  it.each([0, 1, -0.1, Number.NaN])('refuses a target of %p', (target) => {
    expect(() => new ShortfallController({ ...options, target })).toThrow(/target must be between 0 and 1/);
  });
});
