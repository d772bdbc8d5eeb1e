import type http from 'node:http';
import type { DecisionLog } from '../decision/decision-log';
import { modelKey } from '../forecast/lifecycle/model-key';
import type { HttpRoute } from '../metrics/http-server';
import type { StateStore } from '../store/state-store';
import { triggerDecision, type TriggerDecisionView } from './decision-api';
import { decisionPlot } from './sparkline';
import type { TriggerRegistry } from './trigger-registry';

/** A workload as the status page lists it (workloads are planned without a ScaledObject). */
export interface WorkloadStatus {
  name: string;
  namespace: string;
  /** e.g. `trained`, `waiting for history`, or the last error. */
  state: string;
}

export interface StatusPageDeps {
  triggers: TriggerRegistry;
  decisions: DecisionLog;
  store: StateStore;
  clock: () => number;
  workloads?: () => WorkloadStatus[];
}

/** What one trigger's row shows. */
interface TriggerRow {
  namespace: string;
  scaledObject: string;
  decision: TriggerDecisionView | undefined;
  modelVersion: number | undefined;
  plot: string;
}

/**
 * `GET /`: a plain HTML page of the triggers KEDA asked this replica about (last decision, its reason, a
 * plot of the last day, model version and health) and the workloads planned without a ScaledObject. No
 * script and no external asset: it renders anywhere, and a strict CSP allows it.
 */
export function statusPageRoutes(deps: StatusPageDeps): HttpRoute[] {
  return [
    async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
      if (url.pathname !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const body = renderStatusPage(await rowsOf(deps), deps.workloads?.() ?? undefined, deps.clock());
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  ];
}

async function rowsOf(deps: StatusPageDeps): Promise<TriggerRow[]> {
  const rows = await Promise.all(
    [...deps.triggers.all()].map(async (handle): Promise<TriggerRow> => {
      const history = deps.decisions.history(handle.key);
      const modelVersion = await deps.store
        .currentModelVersion(modelKey(handle.config))
        .catch(() => undefined);
      return {
        namespace: handle.labels.namespace,
        scaledObject: handle.labels.scaled_object,
        decision: triggerDecision(deps.decisions, handle),
        modelVersion,
        plot: decisionPlot(history?.points ?? []),
      };
    }),
  );
  return rows.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      a.scaledObject.localeCompare(b.scaledObject) ||
      (a.decision?.metricName ?? '').localeCompare(b.decision?.metricName ?? ''),
  );
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.4rem;text-align:left;vertical-align:top}
.frame{fill:none;stroke:#d0d7de}polyline{fill:none;stroke-width:1.5}
.live{stroke:#0969da}.forecast{stroke:#bf8700;stroke-dasharray:3 2}.returned{stroke:#1a7f37}
.key span{margin-right:1rem}.bad{color:#cf222e}.muted{color:#57606a}`;

/** The page itself: pure, so a test can render it without a server. */
export function renderStatusPage(
  rows: readonly TriggerRow[],
  workloads: readonly WorkloadStatus[] | undefined,
  nowMs: number,
): string {
  const triggerRows = rows.map((row) => {
    const d = row.decision;
    const health =
      d === undefined
        ? '<span class="muted">no decision yet</span>'
        : d.error !== undefined
          ? `<span class="bad">source down</span>`
          : d.forecast === null
            ? 'live-only'
            : `forecast ${escapeHtml(d.forecast.method)}`;
    return (
      '<tr>' +
      `<td><a href="/v1/decisions/${encodeURIComponent(row.namespace)}/${encodeURIComponent(row.scaledObject)}">` +
      `${escapeHtml(row.namespace)}/${escapeHtml(row.scaledObject)}</a><br><span class="muted">${escapeHtml(d?.metricName ?? '')}</span></td>` +
      `<td>${d === undefined ? '' : `${value(d.returned)} (live ${value(d.live)}, target ${value(d.target)})<br>${d.impliedReplicas ?? '–'} replicas, ${d.change ?? 'first'}`}</td>` +
      `<td>${escapeHtml(d?.reason ?? '')}</td>` +
      `<td>${row.plot}</td>` +
      `<td>${row.modelVersion === undefined ? '<span class="muted">none</span>' : `v${row.modelVersion}`}<br>${health}${confidence(d)}</td>` +
      '</tr>'
    );
  });
  const workloadSection =
    workloads === undefined || workloads.length === 0
      ? '<p class="muted">no workloads configured (WORKLOADS_FILE)</p>'
      : `<table><thead><tr><th>workload</th><th>state</th></tr></thead><tbody>${workloads
          .map(
            (w) =>
              `<tr><td>${escapeHtml(w.namespace)}/${escapeHtml(w.name)}</td><td>${escapeHtml(w.state)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>keda-predictive-scaler</title><style>${STYLE}</style></head><body>` +
    `<h1>keda-predictive-scaler</h1><p class="muted">as of ${new Date(nowMs).toISOString()}; ` +
    'JSON: /v1/decisions/{namespace}/{scaledObject} (linked per row), <a href="/models">/models</a>, ' +
    '<a href="/metrics">/metrics</a></p>' +
    `<h2>Triggers (${rows.length})</h2>` +
    (rows.length === 0
      ? '<p class="muted">no trigger yet: KEDA has not called this replica</p>'
      : '<p class="key"><span class="live">— live</span><span class="forecast">- - forecast (capacity bound)</span>' +
        '<span class="returned">— returned to KEDA</span> over the last day</p>' +
        '<table><thead><tr><th>ScaledObject / metric</th><th>returned</th><th>reason</th><th>last day</th><th>model</th></tr></thead>' +
        `<tbody>${triggerRows.join('')}</tbody></table>`) +
    `<h2>Workloads</h2>${workloadSection}</body></html>`
  );
}

function confidence(d: TriggerDecisionView | undefined): string {
  if (d?.confidence == null) return '';
  return `<br><span class="muted">backtest MASE ${d.confidence.mase.toFixed(2)}, coverage ${(d.confidence.coverage * 100).toFixed(0)} %</span>`;
}

function value(v: number | null): string {
  return v === null ? '–' : String(Number(v.toPrecision(4)));
}

/** Text from metadata and errors goes into the page only through this. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
