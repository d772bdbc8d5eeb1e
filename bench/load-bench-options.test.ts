import { loadBenchOptionsFromArgs } from './load.bench';

describe('load bench options', () => {
  it('reads a list of closed-loop poller counts', () => {
    expect(loadBenchOptionsFromArgs(['--concurrency', '16,64']).concurrency).toEqual([16, 64]);
    expect(loadBenchOptionsFromArgs(['--concurrency=8']).concurrency).toEqual([8]);
  });

  it('leaves the poller counts to the default when not given', () => {
    expect(loadBenchOptionsFromArgs(['--quick']).concurrency).toBeUndefined();
  });

  it.each(['0', '32,x', '1001', '2.5', ''])('refuses --concurrency %j, naming the flag', (value) => {
    expect(() => loadBenchOptionsFromArgs(['--concurrency', value])).toThrow(/--concurrency/);
  });
});
