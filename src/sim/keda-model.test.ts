import { KedaModel, kedaQuantity } from './keda-model';

const settings = { pollingMs: 30_000, cooldownMs: 300_000, minReplicas: 0, maxReplicas: 10 };
const s = (seconds: number): number => seconds * 1000;

describe('KedaModel', () => {
  it('activates a deployment at zero to one replica, and leaves it at zero while inactive', () => {
    const keda = new KedaModel(settings);
    expect(keda.poll(s(0), false, 0)).toBeUndefined();
    expect(keda.poll(s(30), true, 0)).toBe(1);
    // Above zero the HPA decides: KEDA leaves an active deployment alone.
    expect(keda.poll(s(60), true, 1)).toBeUndefined();
  });

  it('activates to minReplicaCount when it is above one, and never lets the HPA go below 1', () => {
    const keda = new KedaModel({ ...settings, minReplicas: 3 });
    expect(keda.poll(s(0), true, 0)).toBe(3);
    expect(keda.poll(s(30), false, 0)).toBe(3);
    expect(keda.poll(s(60), false, 2)).toBe(3);
    expect(new KedaModel(settings).hpaMinReplicas).toBe(1);
  });

  it('scales to zero only once the last active poll is more than the cooldown ago', () => {
    const keda = new KedaModel(settings);
    keda.poll(s(0), true, 4);
    // Inactive from 30 s on; last active at 0 s, cooldown 300 s.
    for (let t = 30; t <= 300; t += 30) expect(keda.poll(s(t), false, 4)).toBeUndefined();
    expect(keda.poll(s(330), false, 4)).toBe(0);
  });

  it('restarts the cooldown when the trigger is active again', () => {
    const keda = new KedaModel(settings);
    keda.poll(s(0), true, 2);
    keda.poll(s(240), true, 2);
    expect(keda.poll(s(330), false, 2)).toBeUndefined();
    expect(keda.poll(s(540), false, 2)).toBeUndefined();
    expect(keda.poll(s(570), false, 2)).toBe(0);
  });

  it('never scales to zero with minReplicaCount above zero', () => {
    const keda = new KedaModel({ ...settings, minReplicas: 1 });
    keda.poll(s(0), true, 2);
    expect(keda.poll(s(3600), false, 2)).toBeUndefined();
  });

  it('hands values over with three decimals, truncated, as KEDA does', () => {
    expect(kedaQuantity(1.23456)).toBe(1.234);
    expect(kedaQuantity(0.0004)).toBe(0);
  });
});
