import { parseSimulateArguments, simulationOptions } from './simulate';

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

  it('passes --shortfall-target to the simulated trigger as shortfallTarget', () => {
    const options = parseSimulateArguments([...base, '--startup', '180', '--shortfall-target', '0.05']);
    expect(options.shortfallTarget).toBe('0.05');
    expect(simulationOptions(options).metadata).toEqual({ shortfallTarget: '0.05' });
    expect(simulationOptions(parseSimulateArguments([...base, '--startup', '180'])).metadata).toBeUndefined();
  });

  it('passes the HPA tolerances to the HPA model, 0.1 each unless given', () => {
    const given = parseSimulateArguments([
      ...base,
      ...['--startup', '180', '--scale-up-tolerance', '0', '--scale-down-tolerance', '0.05'],
    ]);
    expect(simulationOptions(given)).toMatchObject({ scaleUpTolerance: 0, scaleDownTolerance: 0.05 });
    const unset = parseSimulateArguments([...base, '--startup', '180']);
    expect(simulationOptions(unset)).toMatchObject({ scaleUpTolerance: 0.1, scaleDownTolerance: 0.1 });
    expect(() =>
      parseSimulateArguments([...base, '--startup', '180', '--scale-up-tolerance', '1.5']),
    ).toThrow(/--scale-up-tolerance must be a number at least 0 and at most 1/);
  });

  it('passes --oracle-foresight to the oracle in milliseconds, the simulator default unless given', () => {
    const given = parseSimulateArguments([...base, '--startup', '180', '--oracle-foresight', '135']);
    expect(simulationOptions(given)).toMatchObject({ oracleForesightMs: 135_000 });
    const unset = simulationOptions(parseSimulateArguments([...base, '--startup', '180']));
    expect(unset.oracleForesightMs).toBeUndefined();
    expect(() => parseSimulateArguments([...base, '--startup', '180', '--oracle-foresight', 'soon'])).toThrow(
      /--oracle-foresight must be a number at least 0 and at most 86400/,
    );
  });

  it("follows the server's RETRAIN_INTERVAL and DRIFT_RETRAINING from the environment", () => {
    const options = parseSimulateArguments([...base, '--startup', '180']);
    const saved = {
      RETRAIN_INTERVAL: process.env.RETRAIN_INTERVAL,
      DRIFT_RETRAINING: process.env.DRIFT_RETRAINING,
    };
    try {
      delete process.env.RETRAIN_INTERVAL;
      delete process.env.DRIFT_RETRAINING;
      expect(simulationOptions(options)).toMatchObject({
        retrainIntervalMs: 3_600_000,
        driftRetraining: true,
      });
      process.env.RETRAIN_INTERVAL = '6h';
      process.env.DRIFT_RETRAINING = 'false';
      expect(simulationOptions(options)).toMatchObject({
        retrainIntervalMs: 21_600_000,
        driftRetraining: false,
      });
      process.env.DRIFT_RETRAINING = 'sometimes';
      expect(() => simulationOptions(options)).toThrow(/"DRIFT_RETRAINING" has invalid value "sometimes"/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('passes --scale-down-window to the HPA model, 300 s unless given', () => {
    const given = parseSimulateArguments([...base, '--startup', '180', '--scale-down-window', '60']);
    expect(simulationOptions(given).scaleDownWindowMs).toBe(60_000);
    const unset = parseSimulateArguments([...base, '--startup', '180']);
    expect(simulationOptions(unset).scaleDownWindowMs).toBe(300_000);
    expect(() => parseSimulateArguments([...base, '--startup', '180', '--scale-down-window=-5'])).toThrow(
      /--scale-down-window must be a number at least 0 and at most 3600/,
    );
  });

  it('passes --service-rate to a queue replay, and refuses it for a rate replay', () => {
    const queue = parseSimulateArguments([
      ...base,
      '--startup',
      '60',
      '--kind',
      'queue',
      '--service-rate',
      '2',
    ]);
    expect(simulationOptions(queue)).toMatchObject({ kind: 'queue', target: 5, serviceRate: 2 });
    expect(
      simulationOptions(parseSimulateArguments([...base, '--startup', '60', '--kind', 'queue'])),
    ).not.toHaveProperty('serviceRate');
    expect(() => parseSimulateArguments([...base, '--startup', '60', '--service-rate', '2'])).toThrow(
      /--service-rate is for --kind queue/,
    );
    expect(() =>
      parseSimulateArguments([...base, '--startup', '60', '--kind', 'queue', '--service-rate', '0']),
    ).toThrow(/--service-rate must be a number greater than 0/);
  });
});
