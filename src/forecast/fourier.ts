/**
 * Fourier seasonal terms evaluated at absolute times, so a profile learned on one window is in phase on
 * any other (after a restart, on another replica, at another resolution).
 */
export interface FourierTerms {
  periodsMs: number[];
  /** Harmonics per period: columns sin(2πkt/P), cos(2πkt/P) for k = 1..harmonics. */
  harmonics: number[];
}

export function fourierColumnCount(terms: FourierTerms): number {
  return terms.harmonics.reduce((sum, k) => sum + 2 * k, 0);
}

/** Writes the Fourier columns of time `timeMs` into `out` from `offset`. */
export function writeFourierRow(
  terms: FourierTerms,
  timeMs: number,
  out: Float64Array,
  offset: number,
): void {
  let column = offset;
  for (let p = 0; p < terms.periodsMs.length; p++) {
    const period = terms.periodsMs[p] as number;
    const harmonics = terms.harmonics[p] as number;
    const phase = (((timeMs % period) + period) % period) / period;
    const angle = 2 * Math.PI * phase;
    const sin1 = Math.sin(angle);
    const cos1 = Math.cos(angle);
    // sin/cos of k·angle by the angle-addition recurrence: two trig calls per period, not per harmonic.
    let sinK = sin1;
    let cosK = cos1;
    for (let k = 1; k <= harmonics; k++) {
      out[column++] = sinK;
      out[column++] = cosK;
      const nextSin = sinK * cos1 + cosK * sin1;
      cosK = cosK * cos1 - sinK * sin1;
      sinK = nextSin;
    }
  }
}

/**
 * Harmonics to use for a period sampled every `blockMs`: enough to draw a daily shape with a 2-hour
 * feature, never more than the sampling can carry (Nyquist). Weekly terms stop at 6 so they never
 * duplicate a daily term (the 7th weekly harmonic is the 1st daily one).
 */
export function defaultHarmonics(periodMs: number, blockMs: number, allPeriodsMs: number[]): number {
  const samplesPerPeriod = Math.floor(periodMs / blockMs);
  let harmonics = Math.min(12, Math.floor((samplesPerPeriod - 1) / 2));
  for (const other of allPeriodsMs) {
    if (other < periodMs && Math.abs(periodMs / other - Math.round(periodMs / other)) < 1e-9) {
      harmonics = Math.min(harmonics, Math.round(periodMs / other) - 1);
    }
  }
  return Math.max(0, harmonics);
}
