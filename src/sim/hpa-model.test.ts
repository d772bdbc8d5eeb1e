import { HPA_DEFAULTS, HpaModel } from './hpa-model';

const s = (seconds: number): number => seconds * 1000;

describe('HpaModel', () => {
  it('asks for ceil(metric / target) replicas', () => {
    const hpa = new HpaModel();
    expect(hpa.sync(s(0), 95, 10, 4, 1, 100)).toBe(8); // 4 → 8: the 100 % per 15 s policy allows it
    expect(new HpaModel().sync(s(0), 45, 10, 4, 1, 100)).toBe(5);
  });

  it('does nothing while metric / (target × current) is within 1 ± 0.1', () => {
    const hpa = new HpaModel();
    // 10 replicas × 10 = 100; 109 is 9 % above: the HPA leaves it (and capacity short).
    expect(hpa.sync(s(0), 109, 10, 10, 1, 100)).toBe(10);
    expect(hpa.sync(s(15), 111, 10, 10, 1, 100)).toBe(12);
    const down = new HpaModel();
    expect(down.sync(s(0), 91, 10, 10, 1, 100)).toBe(10);
  });

  it('takes separate scale-up and scale-down tolerances, inclusive at both edges', () => {
    const exact = { ...HPA_DEFAULTS, scaleUpTolerance: 0, scaleDownTolerance: 0.1 };
    // 10 replicas × 10 = 100: anything above adds replicas at once; 90 (the edge) still does nothing.
    expect(new HpaModel(exact).sync(s(0), 100.5, 10, 10, 1, 100)).toBe(11);
    expect(new HpaModel(exact).sync(s(0), 100, 10, 10, 1, 100)).toBe(10);
    expect(new HpaModel(exact).sync(s(0), 90, 10, 10, 1, 100)).toBe(10);
    expect(new HpaModel(exact).sync(s(0), 89, 10, 10, 1, 100)).toBe(9);
    const wide = { ...HPA_DEFAULTS, scaleUpTolerance: 0.2, scaleDownTolerance: 0.2 };
    expect(new HpaModel(wide).sync(s(0), 120, 10, 10, 1, 100)).toBe(10);
    expect(new HpaModel(wide).sync(s(0), 121, 10, 10, 1, 100)).toBe(13);
    expect(new HpaModel(wide).sync(s(0), 85, 10, 10, 1, 100)).toBe(10);
    expect(new HpaModel(wide).sync(s(0), 79, 10, 10, 1, 100)).toBe(8);
  });

  it('scales up at once but caps growth at max(4 pods, 100 %) per 15 s', () => {
    const hpa = new HpaModel();
    expect(hpa.sync(s(0), 200, 10, 1, 1, 100)).toBe(5);
    expect(hpa.sync(s(15), 200, 10, 5, 1, 100)).toBe(10);
    expect(hpa.sync(s(30), 200, 10, 10, 1, 100)).toBe(20);
  });

  it('scales down only to the largest proposal of the last 300 s', () => {
    const hpa = new HpaModel();
    expect(hpa.sync(s(0), 100, 10, 10, 1, 100)).toBe(10);
    expect(hpa.sync(s(15), 30, 10, 10, 1, 100)).toBe(10);
    expect(hpa.sync(s(150), 50, 10, 10, 1, 100)).toBe(10);
    expect(hpa.sync(s(285), 30, 10, 10, 1, 100)).toBe(10);
    // The proposal of 10 at 0 s leaves the window after 300 s; the largest left is 5 (at 150 s).
    expect(hpa.sync(s(300), 30, 10, 10, 1, 100)).toBe(5);
    expect(hpa.sync(s(450), 30, 10, 5, 1, 100)).toBe(3);
  });

  it('stays within min and max replicas', () => {
    expect(new HpaModel().sync(s(0), 0, 10, 3, 2, 100)).toBe(2);
    expect(new HpaModel().sync(s(0), 10_000, 10, 30, 1, 40)).toBe(40);
    expect(new HpaModel().sync(s(0), 10, 10, 50, 1, 40)).toBe(40);
  });
});
