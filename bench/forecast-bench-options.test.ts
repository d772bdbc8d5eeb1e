import { FORECAST_TRACES, forecastTracesFromArgs, parseForecastTraces } from './forecast.bench';

describe('forecast bench --traces', () => {
  it('runs both trace families when not given', () => {
    expect(forecastTracesFromArgs(['--quick'])).toEqual([...FORECAST_TRACES]);
  });

  it('reads one family or both, in either spelling, in a fixed order', () => {
    expect(forecastTracesFromArgs(['--traces', 'worldcup'])).toEqual(['worldcup']);
    expect(forecastTracesFromArgs(['--json', '--traces=azure'])).toEqual(['azure']);
    expect(forecastTracesFromArgs(['--traces', 'worldcup, azure'])).toEqual(['azure', 'worldcup']);
  });

  it.each(['', ',', 'm4', 'azure,wc'])('refuses %j, naming the flag', (value) => {
    expect(() => parseForecastTraces(value)).toThrow(/--traces/);
  });

  it('refuses the flag without a value', () => {
    expect(() => forecastTracesFromArgs(['--traces'])).toThrow(/--traces/);
  });
});
