import { PLOT_HEIGHT, decisionPlot } from './sparkline';

describe('decisionPlot', () => {
  it('scales time to the width and values from 0 to the largest', () => {
    const svg = decisionPlot([
      { atMs: 0, live: 0, returned: 10, forecastUpper: 20 },
      { atMs: 60_000, live: 10, returned: 20 },
    ]);
    // y: 80 − 2 − v × 76 / 20.
    expect(svg).toContain('<polyline class="live" points="2,78 318,40"/>');
    expect(svg).toContain('<polyline class="returned" points="2,40 318,2"/>');
    expect(svg).toContain('<polyline class="forecast" points="2,2"/>');
    expect(svg).toContain(`height="${PLOT_HEIGHT}"`);
  });

  it('draws an empty frame with a caption when there is nothing yet', () => {
    const svg = decisionPlot([]);
    expect(svg).not.toContain('polyline');
    expect(svg).toContain('no decisions yet');
  });

  it('draws a flat line at the bottom when every value is 0', () => {
    expect(decisionPlot([{ atMs: 0, live: 0, returned: 0 }])).toContain('class="live" points="2,78"');
  });
});
