import { Counter, Gauge, Histogram, collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'keda_predictive_scaler_';

/** Labels of every per-trigger series. */
export interface TriggerLabels {
  namespace: string;
  scaled_object: string;
  metric: string;
}

const TRIGGER_LABELS = ['namespace', 'scaled_object', 'metric'] as const;

/**
 * Every metric the scaler exports, on a registry passed in (tests use a fresh one). Per-trigger series are
 * removed by `forgetTrigger` when a trigger has not been asked about for a while, so label cardinality
 * follows the live ScaledObjects, not every trigger ever seen.
 */
export class ScalerMetrics {
  readonly registry: Registry;
  readonly grpcRequests: Counter<'rpc' | 'code'>;
  readonly grpcDuration: Histogram<'rpc' | 'code'>;
  readonly sourceReadDuration: Histogram<'source'>;
  readonly sourceErrors: Counter<'source' | 'reason'>;
  readonly liveValue: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly sourceStaleness: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly forecastValue: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly forecastLower: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly forecastUpper: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly returnedValue: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly active: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly decisions: Counter<(typeof TRIGGER_LABELS)[number] | 'reason'>;
  readonly wakeups: Counter<(typeof TRIGGER_LABELS)[number] | 'cause'>;
  readonly prewarmReplicaSeconds: Counter<(typeof TRIGGER_LABELS)[number]>;
  readonly forecastLeadMase: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly forecastBacktestMase: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly forecastDegraded: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly capacityWidthFactor: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly startupTime: Gauge<(typeof TRIGGER_LABELS)[number] | 'from'>;
  readonly metadataWarnings: Gauge<(typeof TRIGGER_LABELS)[number]>;
  readonly predictiveEnabled: Gauge<(typeof TRIGGER_LABELS)[number] | 'mode'>;
  readonly anomalies: Counter<'signal'>;
  readonly modelInfo: Gauge<'signal' | 'method' | 'usable'>;
  readonly modelBacktestMase: Gauge<'signal' | 'method' | 'lead'>;
  readonly modelTrainedAt: Gauge<'signal'>;
  readonly modelTrainingDuration: Histogram<'outcome'>;
  readonly historySamples: Counter<'source'>;

  constructor(registry: Registry = new Registry(), options: { defaultMetrics?: boolean } = {}) {
    this.registry = registry;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    const registers = [registry];
    const triggerGauge = (name: string, help: string) =>
      new Gauge({ name: METRIC_PREFIX + name, help, labelNames: TRIGGER_LABELS, registers });

    this.grpcRequests = new Counter({
      name: `${METRIC_PREFIX}grpc_requests_total`,
      help: 'gRPC calls answered, by method and status code.',
      labelNames: ['rpc', 'code'],
      registers,
    });
    this.grpcDuration = new Histogram({
      name: `${METRIC_PREFIX}grpc_request_duration_seconds`,
      help: 'Time to answer a unary gRPC call, by method and status code.',
      labelNames: ['rpc', 'code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.sourceReadDuration = new Histogram({
      name: `${METRIC_PREFIX}source_read_seconds`,
      help: 'Time to read a live value from its source.',
      labelNames: ['source'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.sourceErrors = new Counter({
      name: `${METRIC_PREFIX}source_errors_total`,
      help: 'Failed source reads, by source and reason.',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.liveValue = triggerGauge('live_value', 'Last live value read from the source.');
    this.sourceStaleness = triggerGauge(
      'source_staleness_seconds',
      'Age of the live value served (0 when fresh).',
    );
    this.forecastValue = triggerGauge(
      'forecast_value',
      'Mean forecast at now + startupTime, when a replica started now could serve.',
    );
    this.forecastLower = triggerGauge('forecast_lower', 'Lower prediction interval at now + startupTime.');
    this.forecastUpper = triggerGauge(
      'forecast_upper',
      'Largest upper-quantile forecast over [now + startupTime, now + startupTime + 30s]: what the returned value compares with live.',
    );
    this.returnedValue = triggerGauge('returned_value', 'Value returned to KEDA by GetMetrics.');
    this.active = triggerGauge('active', 'IsActive answer: 1 active, 0 inactive.');
    this.decisions = new Counter({
      name: `${METRIC_PREFIX}decisions_total`,
      help: 'Evaluations by what decided the returned value (live, forecast, business-hours, fallback).',
      labelNames: [...TRIGGER_LABELS, 'reason'],
      registers,
    });
    this.wakeups = new Counter({
      name: `${METRIC_PREFIX}wakeups_total`,
      help: 'Inactive to active transitions, by cause (live or forecast).',
      labelNames: [...TRIGGER_LABELS, 'cause'],
      registers,
    });
    this.prewarmReplicaSeconds = new Counter({
      name: `${METRIC_PREFIX}prewarm_replica_seconds_total`,
      help: 'Estimated replica-seconds added by the forecast above what live load asked for.',
      labelNames: TRIGGER_LABELS,
      registers,
    });
    this.forecastLeadMase = triggerGauge(
      'forecast_mase',
      'Rolling MASE of the forecast at the lead time, measured as actual values arrive.',
    );
    this.forecastBacktestMase = triggerGauge(
      'forecast_backtest_mase',
      'What forecast_mase promised: the model in use, backtested at the lead time, over last value there.',
    );
    this.forecastDegraded = triggerGauge(
      'forecast_degraded',
      '1 while forecast_mase has stayed above max(1, 1.5 × forecast_backtest_mase) for an hour (the model is retrained at once), 0 otherwise.',
    );
    this.capacityWidthFactor = triggerGauge(
      'capacity_width_factor',
      'With shortfallTarget: how many times the quantile band the capacity bound is above the forecast, learned from the shortfall at startupTime.',
    );
    this.startupTime = new Gauge({
      name: `${METRIC_PREFIX}startup_time_seconds`,
      help: 'The start-up time capacity is bought for: from="query" when startupTimeQuery answered, from="metadata" (startupTime or its default) otherwise.',
      labelNames: [...TRIGGER_LABELS, 'from'],
      registers,
    });
    this.metadataWarnings = triggerGauge(
      'metadata_warnings',
      'Unknown or deprecated keys in the trigger metadata (the log names them); 0 when there are none.',
    );
    this.predictiveEnabled = new Gauge({
      name: `${METRIC_PREFIX}predictive_enabled`,
      help: '1 when the forecast is used for this trigger, 0 when it runs live-only (mode: true, false, shadow).',
      labelNames: [...TRIGGER_LABELS, 'mode'],
      registers,
    });
    this.anomalies = new Counter({
      name: `${METRIC_PREFIX}anomalies_total`,
      help: 'Points kept out of learning by the anomaly filter.',
      labelNames: ['signal'],
      registers,
    });
    this.modelInfo = new Gauge({
      name: `${METRIC_PREFIX}model_info`,
      help: 'The chosen model of a signal (value 1), and whether it beat the baselines.',
      labelNames: ['signal', 'method', 'usable'],
      registers,
    });
    this.modelBacktestMase = new Gauge({
      name: `${METRIC_PREFIX}model_backtest_mase`,
      help: 'Backtest MASE of the chosen model and the baselines at each lead time.',
      labelNames: ['signal', 'method', 'lead'],
      registers,
    });
    this.modelTrainedAt = new Gauge({
      name: `${METRIC_PREFIX}model_trained_timestamp_seconds`,
      help: 'When the current model of a signal was trained.',
      labelNames: ['signal'],
      registers,
    });
    this.modelTrainingDuration = new Histogram({
      name: `${METRIC_PREFIX}model_training_seconds`,
      help: 'Time to train a model, by outcome (saved, kept_previous, pinned, skipped, failed).',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.historySamples = new Counter({
      name: `${METRIC_PREFIX}history_samples_total`,
      help: 'Samples written to history (live sampling and backfill).',
      labelNames: ['source'],
      registers,
    });
  }

  /** Drops every per-trigger series of a trigger that is gone. */
  forgetTrigger(labels: TriggerLabels): void {
    for (const gauge of [
      this.liveValue,
      this.sourceStaleness,
      this.forecastValue,
      this.forecastLower,
      this.forecastUpper,
      this.returnedValue,
      this.active,
      this.forecastLeadMase,
      this.forecastBacktestMase,
      this.forecastDegraded,
      this.capacityWidthFactor,
      this.metadataWarnings,
    ]) {
      gauge.remove(labels);
    }
    this.prewarmReplicaSeconds.remove(labels);
    // remove() matches label sets exactly, so each value of the extra label is removed on its own.
    for (const reason of ['live', 'forecast', 'business-hours', 'fallback'])
      this.decisions.remove({ ...labels, reason });
    for (const cause of ['live', 'forecast']) this.wakeups.remove({ ...labels, cause });
    for (const mode of ['true', 'false', 'shadow']) this.predictiveEnabled.remove({ ...labels, mode });
    for (const from of ['query', 'metadata']) this.startupTime.remove({ ...labels, from });
  }
}
