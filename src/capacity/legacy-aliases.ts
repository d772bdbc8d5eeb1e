import type http from 'node:http';
import { ApiError, allow } from '../metrics/http-api-error';
import { sendJson, type HttpRoute } from '../metrics/http-server';
import { GIB } from './units';
import type { WorkloadForecasts } from './workload-api';
import { CAPACITY_WINDOWS, isCapacityWindow } from './windows';

/**
 * The paths of the forecasting API this project replaces, answered in its shapes from the workloads of
 * `WORKLOADS_FILE`: `GET /next_day?workload=NAME` (and `next_week`, `next_weekend`, `next_month`),
 * `GET /health` and `GET /models/info`. New clients use `/v1/workloads/…`, which says more.
 */
export function legacyRoutes(forecasts: WorkloadForecasts): HttpRoute[] {
  return [
    async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
      const path = url.pathname.replace(/\/+$/, '');
      const window = path.slice(1);
      if (!isCapacityWindow(window) && path !== '/health' && path !== '/models/info') return false;
      try {
        allow(req.method ?? 'GET', 'GET');
        if (path === '/health') {
          sendJson(res, 200, { status: 'healthy', workloads: (await forecasts.list()).length });
        } else if (path === '/models/info') {
          const models = (await forecasts.list()).flatMap((w) =>
            (['cpu', 'memory'] as const).map((resource) => ({
              workload: w.name,
              namespace: w.namespace,
              resource,
              status: w[resource].status,
              ...w[resource].model,
            })),
          );
          sendJson(res, 200, { models });
        } else if (isCapacityWindow(window)) {
          const workload = forecasts.find(url.searchParams.get('workload'));
          const { view: plan, recommendations } = await forecasts.window(workload, window);
          const { cpu, memory } = recommendations;
          sendJson(res, 200, {
            workload: workload.name,
            window,
            from: plan.from,
            to: plan.to,
            predictions: {
              cpu_cores: plan.cpu.quantile.value,
              memory_gb: Math.round((plan.memory.quantile.value / GIB) * 1000) / 1000,
            },
            recommendations: {
              cpu: { request: cpu.request.text, limit: cpu.limit.text },
              memory: { request: memory.request.text, limit: memory.limit.text },
            },
            moved: `/v1/workloads/${encodeURIComponent(workload.name)}/forecast?window=${window}`,
          });
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        sendJson(res, error.status, { error: error.message, ...error.extra }, error.headers);
      }
      return true;
    },
  ];
}

/** Where the forecasts live, for a 404 on a path that is not a route. */
export const ROUTES_HINT =
  'forecasts live at /v1/workloads/{name}/forecast?window=' +
  `${CAPACITY_WINDOWS.join('|')} (workloads of WORKLOADS_FILE; the old /next_day?workload=NAME paths still answer), ` +
  '/forecast/{namespace}/{scaledObject}/{metricName} (triggers KEDA polls), /v1/decisions/{namespace}/{scaledObject}, ' +
  '/models; the status page is at /';
