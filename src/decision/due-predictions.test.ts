import { DuePredictions } from './due-predictions';

const MINUTE = 60_000;

describe('DuePredictions', () => {
  it('scores a prediction made for a shorter lead when it falls due, ahead of older ones', () => {
    const due = new DuePredictions<string>(3 * MINUTE, 30_000);
    due.record(0, 'made at 0 for 3m');
    due.record(MINUTE, 'made at 1m for 1m', MINUTE);
    const scored: string[] = [];
    due.takeDue(2 * MINUTE, (prediction) => scored.push(prediction));
    expect(scored).toEqual(['made at 1m for 1m']);
    due.takeDue(3 * MINUTE, (prediction) => scored.push(prediction));
    expect(scored).toEqual(['made at 1m for 1m', 'made at 0 for 3m']);
  });
});
