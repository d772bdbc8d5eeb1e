import { startExporter, type TestExporter } from './exporter';

/** A pod as kube-state-metrics describes it: Unix seconds of its creation and of its last turning Ready. */
export interface FakePod {
  namespace: string;
  pod: string;
  createdSeconds: number;
  readySeconds: number;
}

/**
 * The two kube-state-metrics series a start-up time is read from (`kube_pod_created`,
 * `kube_pod_status_ready_time`), under their real names and labels, for the real Prometheus to scrape.
 */
export function startKubeStateMetrics(pods: readonly FakePod[]): Promise<TestExporter> {
  const labels = (pod: FakePod) => `namespace="${pod.namespace}",pod="${pod.pod}"`;
  return startExporter(() =>
    [
      '# HELP kube_pod_created Unix creation timestamp',
      '# TYPE kube_pod_created gauge',
      ...pods.map((pod) => `kube_pod_created{${labels(pod)}} ${pod.createdSeconds}`),
      '# HELP kube_pod_status_ready_time Readiness achieved time in unix timestamp for a pod.',
      '# TYPE kube_pod_status_ready_time gauge',
      ...pods.map((pod) => `kube_pod_status_ready_time{${labels(pod)}} ${pod.readySeconds}`),
      '',
    ].join('\n'),
  );
}
