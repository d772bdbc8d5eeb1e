import { readSettings } from './config/settings';
import { createLogger } from './logger';
import { forecastFrom, startScaler } from './app';

/** Reads the environment, starts the scaler, and drains on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  let settings;
  try {
    settings = readSettings();
  } catch (error) {
    createLogger('info').fatal({ err: error }, 'bad settings');
    process.exit(2);
  }
  const logger = createLogger(settings.logLevel);
  const scaler = await startScaler(settings, { logger, forecast: forecastFrom(settings) });
  let signals = 0;
  const shutdown = (signal: string): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'draining');
    scaler.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  createLogger('info').fatal({ err: error }, 'failed to start');
  process.exit(1);
});
