import type { SourceKind } from '../source-kind';
import {
  parsePrometheusMetadata,
  PROMETHEUS_KEYS,
  type PrometheusTriggerConfig,
} from './prometheus-metadata';
import { PrometheusSource } from './prometheus.source';

/** A PromQL query on a shared server: push streams poll it at the slow cadence. */
export const prometheusKind: SourceKind<PrometheusTriggerConfig> = {
  kind: 'prometheus',
  keys: PROMETHEUS_KEYS,
  parse: parsePrometheusMetadata,
  create: (config) => new PrometheusSource(config),
  pushPolling: 'slow',
};
