import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { Registry } from 'prom-client';
import { ScalerMetrics } from '../../src/metrics/scaler-metrics';
import { REPO_ROOT, renderChart, validateManifest, type Manifest } from '../support/helm';

/**
 * The chart's PrometheusRule, rendered by helm and run through the real promtool: `check rules` on the
 * rules as rendered, then `promtool test rules` on test/alerts/scaler-alerts.test.yaml, which fires (and
 * holds back) every alert from synthetic series.
 */

const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
const ALERT_TESTS = path.join(REPO_ROOT, 'test', 'alerts', 'scaler-alerts.test.yaml');

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}

function runPromtool(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const groupsOf = (rule: Manifest): RuleGroup[] => (rule.spec as { groups: RuleGroup[] }).groups;
const rulesOf = (rule: Manifest): Rule[] => groupsOf(rule).flatMap((group) => group.rules);

async function renderRule(args: string[]): Promise<Manifest> {
  const docs = await renderChart(['--set', 'prometheusRule.enabled=true', ...args], {
    namespace: 'autoscaling',
  });
  const rule = docs.find((doc) => doc.kind === 'PrometheusRule');
  if (rule === undefined) throw new Error('no PrometheusRule rendered');
  return rule;
}

let dir: string;
let defaults: Manifest;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scaler-alerts-'));
  defaults = await renderRule([]);
}, 60_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('PrometheusRule', () => {
  it('is rendered only with prometheusRule.enabled', async () => {
    const docs = await renderChart([], { namespace: 'autoscaling' });
    expect(docs.filter((doc) => doc.kind === 'PrometheusRule')).toEqual([]);
  });

  it('validates and carries additionalLabels', async () => {
    expect(() => validateManifest(defaults)).not.toThrow();
    const labelled = await renderRule([
      '--set',
      'prometheusRule.additionalLabels.release=kube-prometheus-stack',
      '--set',
      'prometheusRule.namespace=monitoring',
    ]);
    expect(labelled.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(labelled.metadata.namespace).toBe('monitoring');
  });

  it('passes promtool check rules as rendered', async () => {
    const file = path.join(dir, 'check.yaml');
    await fs.writeFile(file, dump({ groups: groupsOf(defaults) }));
    const result = await runPromtool(['check', 'rules', file], dir);
    expect(result.output).toContain('SUCCESS: 7 rules found');
    expect(result.code).toBe(0);
  });

  it('fires each alert in test/alerts/scaler-alerts.test.yaml (promtool test rules)', async () => {
    // The descriptions are long prose checked by `check rules` above; the unit tests pin the summaries.
    const groups = groupsOf(defaults).map((group) => ({
      ...group,
      rules: group.rules.map((rule) => ({
        ...rule,
        annotations: { summary: rule.annotations.summary },
      })),
    }));
    await fs.writeFile(path.join(dir, 'rules.yaml'), dump({ groups }));
    await fs.copyFile(ALERT_TESTS, path.join(dir, 'scaler-alerts.test.yaml'));
    const result = await runPromtool(['test', 'rules', 'scaler-alerts.test.yaml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
    const tested = (await fs.readFile(ALERT_TESTS, 'utf8')).match(/alertname: (\w+)/g) ?? [];
    const names = new Set(tested.map((line) => line.replace('alertname: ', '')));
    expect([...names].sort()).toEqual(
      rulesOf(defaults)
        .map((rule) => rule.alert)
        .sort(),
    );
  });

  it('takes each alert’s for, severity and threshold from values, and leaves out disabled ones', async () => {
    const rule = await renderRule([
      '--set',
      'prometheusRule.alerts.prewarmOverBudget.replicaHoursPerDay=6',
      '--set',
      'prometheusRule.alerts.prewarmOverBudget.for=2h',
      '--set',
      'prometheusRule.alerts.triggerErrors.maxErrorRatio=0.2',
      '--set',
      'prometheusRule.alerts.modelNotRetrained.maxAgeHours=48',
      '--set',
      'prometheusRule.alerts.scalerDown.severity=warning',
      '--set',
      'prometheusRule.alerts.failedWakeups.enabled=false',
      '--set',
      'prometheusRule.scalerSelector=job="keda-predictive-scaler"',
    ]);
    const byName = new Map(rulesOf(rule).map((r) => [r.alert, r]));
    expect(byName.has('PredictiveScalerFailedWakeups')).toBe(false);
    expect(byName.get('PredictiveScalerPrewarmOverBudget')).toMatchObject({ for: '2h' });
    expect(byName.get('PredictiveScalerPrewarmOverBudget')?.expr).toMatch(/\* 24 > 6$/);
    expect(byName.get('PredictiveScalerSourceErrors')?.expr).toMatch(/> 0\.2$/);
    expect(byName.get('PredictiveScalerModelNotRetrained')?.expr).toMatch(/> 172800$/);
    expect(byName.get('PredictiveScalerDown')?.labels.severity).toBe('warning');
    for (const r of byName.values()) expect(r.expr).toContain('job="keda-predictive-scaler"');
  });

  it('queries only series the scaler exports (and up)', () => {
    const exported = new Set(
      new ScalerMetrics(new Registry(), { defaultMetrics: false }).registry
        .getMetricsAsArray()
        .flatMap((metric) => [metric.name, `${metric.name}_bucket`, `${metric.name}_count`]),
    );
    const queried = new Set(
      rulesOf(defaults).flatMap((r) => r.expr.match(/keda_predictive_scaler_\w+/g) ?? []),
    );
    expect(queried.size).toBeGreaterThan(5);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });
});
