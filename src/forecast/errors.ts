/**
 * Bad input to the forecasting code: a non-finite value, an empty history, an option out of range.
 * The message names what was given and what is expected, so it can be shown to the user as is.
 */
export class ForecastInputError extends Error {
  override readonly name = 'ForecastInputError';
}
