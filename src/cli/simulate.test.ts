import { parseSimulateArguments } from './simulate';

describe('parseSimulateArguments', () => {
  const base = ['--trace', 't.csv', '--value-column', 'rps', '--target', '5'];

  it('keeps the 15m lead for a start-up that fits in it', () => {
    expect(parseSimulateArguments([...base, '--startup', '120'])).toMatchObject({
      startupMs: 120_000,
      lead: '15m',
    });
  });

  it('grows an unset lead to a longer start-up, as the server refuses a start-up beyond the lead', () => {
    expect(parseSimulateArguments([...base, '--startup', '1200'])).toMatchObject({
      startupMs: 1_200_000,
      lead: '20m',
    });
  });

  it('leaves a given lead as it is', () => {
    expect(parseSimulateArguments([...base, '--startup', '1200', '--lead', '10m']).lead).toBe('10m');
  });
});
