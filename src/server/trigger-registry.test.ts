import { PROMETHEUS } from '../../test/support/trigger-metadata';
import { TriggerRegistry, type TriggerHandle } from './trigger-registry';

describe('TriggerRegistry', () => {
  const ref = (name: string, extra: Record<string, string> = {}) => ({
    name,
    namespace: 'shop',
    scalerMetadata: { ...PROMETHEUS, ...extra },
  });

  it('tells of each new trigger once, with the warnings of its metadata', () => {
    const seen: TriggerHandle[] = [];
    const registry = new TriggerRegistry(
      () => 0,
      undefined,
      (handle) => seen.push(handle),
    );
    registry.resolve(ref('web', { owner: 'team-ml' }));
    registry.resolve(ref('web', { owner: 'team-ml' }));
    registry.resolve(ref('api'));
    expect(seen.map((handle) => handle.labels.scaled_object)).toEqual(['web', 'api']);
    expect(seen[0]?.warnings.map((warning) => warning.key)).toEqual(['owner']);
    expect(seen[1]?.warnings).toEqual([]);
  });

  it('tells again of a trigger that was swept and came back', () => {
    let now = 0;
    const seen: string[] = [];
    const registry = new TriggerRegistry(
      () => now,
      undefined,
      (handle) => seen.push(handle.labels.scaled_object),
    );
    registry.resolve(ref('web'));
    now = 10_000;
    expect(registry.sweep(5_000)).toHaveLength(1);
    registry.resolve(ref('web'));
    expect(seen).toEqual(['web', 'web']);
  });
});
