import { PodModel } from './pod-model';

const s = (seconds: number): number => seconds * 1000;

describe('PodModel', () => {
  it('lets a pod serve only startup seconds after it is created', () => {
    const pods = new PodModel(s(120));
    pods.scaleTo(s(0), 2);
    expect(pods.replicas).toBe(2);
    expect(pods.ready(s(0))).toBe(0);
    expect(pods.ready(s(119))).toBe(0);
    expect(pods.ready(s(120))).toBe(2);
  });

  it('removes starting pods before ready ones', () => {
    const pods = new PodModel(s(120));
    pods.seed(s(0), 3);
    pods.scaleTo(s(10), 5);
    pods.scaleTo(s(20), 4);
    expect(pods.ready(s(20))).toBe(3);
    expect(pods.ready(s(130))).toBe(4);
    pods.scaleTo(s(140), 1);
    expect(pods.ready(s(140))).toBe(1);
    expect(pods.replicas).toBe(1);
  });

  it('serves at once with a startup of 0', () => {
    const pods = new PodModel(0);
    pods.scaleTo(s(5), 3);
    expect(pods.ready(s(5))).toBe(3);
  });
});
