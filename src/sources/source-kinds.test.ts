import { COMMON_KEYS } from '../config/trigger-config';
import { SOURCES } from '../../test/support/trigger-metadata';
import { SOURCE_KINDS, SOURCE_NAMES, sourceKindOf } from './source-kinds';
import { parseTriggerMetadata } from './trigger-metadata';

describe('source kinds', () => {
  it('registers each source once, in the order error messages list them', () => {
    expect(SOURCE_NAMES).toEqual(['rabbitmq', 'prometheus', 'gpu']);
  });

  it('polls rabbitmq at the fast push cadence and the Prometheus-backed sources at the slow one', () => {
    expect(Object.fromEntries(SOURCE_KINDS.map((kind) => [kind.kind, kind.pushPolling]))).toEqual({
      rabbitmq: 'fast',
      prometheus: 'slow',
      gpu: 'slow',
    });
  });

  it.each(SOURCES)('%s: a parsed config finds the kind that parsed it', (name, base) => {
    expect(sourceKindOf(parseTriggerMetadata(base)).kind).toBe(name);
  });

  it('lists no key twice and none of the common keys', () => {
    for (const kind of SOURCE_KINDS) {
      expect(new Set(kind.keys).size).toBe(kind.keys.length);
      for (const key of COMMON_KEYS) expect(kind.keys).not.toContain(key);
    }
  });
});
