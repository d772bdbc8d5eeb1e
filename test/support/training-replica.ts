/**
 * A scaler replica in its own process whose training stops dead once it holds a model's lock: it prints
 * `TRAINING <model>` and waits forever, so a test can kill it mid-training. Settings come from the
 * environment, as for src/main.ts.
 */
import { forecastFrom, startScaler } from '../../src/app';
import { readSettings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';

async function main(): Promise<void> {
  const settings = readSettings();
  const scaler = await startScaler(settings, {
    logger: createLogger(settings.logLevel),
    forecast: forecastFrom(settings, {
      beforeTrain: async (key) => {
        process.stdout.write(`TRAINING ${key}\n`);
        await new Promise(() => undefined);
      },
    }),
  });
  process.stdout.write(`LISTENING ${scaler.grpcPort}\n`);
}

void main();
