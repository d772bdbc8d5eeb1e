import type http from 'node:http';
import type { Logger } from 'pino';
import { modelKey } from '../forecast/lifecycle/model-key';
import type { TrainedModel } from '../forecast/types';
import { ApiError, allow, decodeSegment } from '../metrics/http-api-error';
import { sendJson, type HttpRoute } from '../metrics/http-server';
import type { ModelRecord, StateStore } from '../store/state-store';
import { formatLocalTime } from '../util/zoned-time';
import { timezoneFrom } from './http-request';
import { describeModel } from './model-info';
import { DEFAULT_POLICIES, recommend, type Recommendation } from './recommend';
import type { ResourceKind } from './units';
import { tidy } from './window-forecast';
import { WindowPlanner } from './window-planner';
import { CAPACITY_WINDOWS, isCapacityWindow, type CapacityWindow } from './windows';
import type { Workload } from './workload-file';
import type { WorkloadTracker } from './workload-tracker';

export interface WorkloadApiDeps {
  workloads: WorkloadTracker;
  store: StateStore;
  clock: () => number;
  logger: Logger;
  /** `Retry-After` for a workload whose models are not trained yet. */
  retryAfterSeconds: number;
}

const RESOURCES: readonly ResourceKind[] = ['cpu', 'memory'];
const UNITS: Record<ResourceKind, string> = { cpu: 'cores', memory: 'bytes' };

/** A workload's resource as the list shows it: its query, model and sampling. */
export interface ResourceListing {
  query: string | null;
  status: 'trained' | 'not_trained';
  model: { version: number; method: string; usable: boolean; trainedAt: string } | null;
  lastSample: string | null;
  lastError?: string;
}

export interface WorkloadListing {
  name: string;
  namespace: string;
  timezone: string;
  cpu: ResourceListing;
  memory: ResourceListing;
}

/** One resource of a workload's window forecast. */
export interface ResourceWindow {
  unit: string;
  mean: number;
  peak: number;
  /** The workload's `quantile` forecast, also under its own name (`p90`): what requests and limits start from. */
  quantile: { level: number; value: number };
  observedPeak: number | null;
  request: { value: number; text: string; bound: string };
  limit: { value: number; text: string; bound: string };
}

/** A workload's forecast over a capacity window, both resources, with the recommendation of each. */
export interface WorkloadWindowForecast {
  workload: string;
  namespace: string;
  window: CapacityWindow;
  from: string;
  to: string;
  fromLocal: string;
  toLocal: string;
  timezone: string;
  cpu: ResourceWindow;
  memory: ResourceWindow;
  model: Record<ResourceKind, unknown>;
}

/**
 * The forecasts of workloads listed in `WORKLOADS_FILE`, and what the routes answer with: a workload's
 * window (both resources, with requests and limits) or the forecast at one instant. Shared by
 * `/v1/workloads/…` and the old API's paths.
 */
export class WorkloadForecasts {
  private readonly planner: WindowPlanner;

  constructor(private readonly deps: WorkloadApiDeps) {
    this.planner = new WindowPlanner(deps);
  }

  find(name: string | null): Workload {
    const known = this.deps.workloads.workloads.map((w) => w.name);
    if (name === null || name === '') {
      throw new ApiError(
        400,
        `workload is required: one of ${known.join(', ') || 'none (WORKLOADS_FILE is not set)'}`,
      );
    }
    const workload = this.deps.workloads.find(name);
    if (workload === undefined) {
      throw new ApiError(
        404,
        `unknown workload ${JSON.stringify(name)}: known are ${known.join(', ') || 'none (WORKLOADS_FILE is not set)'}`,
      );
    }
    return workload;
  }

  windowOf(query: URLSearchParams, fallback: CapacityWindow = 'next_day'): CapacityWindow {
    const raw = query.get('window') ?? fallback;
    if (!isCapacityWindow(raw)) {
      throw new ApiError(
        400,
        `window ${JSON.stringify(raw)} is invalid: expected one of ${CAPACITY_WINDOWS.join(', ')}`,
      );
    }
    return raw;
  }

  async window(
    workload: Workload,
    window: CapacityWindow,
    timezone: string = workload.timezone,
  ): Promise<{ view: WorkloadWindowForecast; recommendations: Record<ResourceKind, Recommendation> }> {
    const currents = await this.currents(workload);
    const policy = DEFAULT_POLICIES[window];
    const views = {} as Record<ResourceKind, ResourceWindow>;
    const models = {} as Record<ResourceKind, unknown>;
    const recommendations = {} as Record<ResourceKind, Recommendation>;
    let range: { fromMs: number; toMs: number } | undefined;
    for (const resource of RESOURCES) {
      const current = currents[resource];
      const plan = await this.planner.plan(
        workload[resource],
        current,
        window,
        timezone,
        nameOf(workload, resource),
      );
      range = plan.range;
      const rec = recommend(resource, plan.summary.quantile.value, plan.observedPeak, policy);
      recommendations[resource] = rec;
      const level = Math.round(plan.summary.quantile.level * 100);
      const quantile = tidy(plan.summary.quantile.value);
      views[resource] = {
        unit: UNITS[resource],
        mean: tidy(plan.summary.mean),
        peak: tidy(plan.summary.peak.value),
        [`p${level}`]: quantile,
        quantile: { level: plan.summary.quantile.level, value: quantile },
        observedPeak: plan.observedPeak === undefined ? null : tidy(plan.observedPeak),
        request: { value: tidy(rec.request.value), text: rec.request.text, bound: rec.request.bound },
        limit: { value: tidy(rec.limit.value), text: rec.limit.text, bound: rec.limit.bound },
      };
      models[resource] = {
        key: modelKey(workload[resource]),
        ...describeModel(current.model, { record: current }),
      };
    }
    const { fromMs, toMs } = range as { fromMs: number; toMs: number };
    const view: WorkloadWindowForecast = {
      workload: workload.name,
      namespace: workload.namespace,
      window,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      fromLocal: formatLocalTime(fromMs, timezone),
      toLocal: formatLocalTime(toMs, timezone),
      timezone,
      cpu: views.cpu,
      memory: views.memory,
      model: models,
    };
    return { view, recommendations };
  }

  async at(workload: Workload, atMs: number): Promise<unknown> {
    const currents = await this.currents(workload);
    const out: Record<string, unknown> = {
      workload: workload.name,
      namespace: workload.namespace,
      at: new Date(atMs).toISOString(),
    };
    const models: Record<string, unknown> = {};
    for (const resource of RESOURCES) {
      const current = currents[resource];
      const point = await this.planner.pointAt(workload[resource], current, atMs, nameOf(workload, resource));
      out[resource] = {
        unit: UNITS[resource],
        mean: tidy(point.mean),
        lower: tidy(point.lower),
        upper: tidy(point.upper),
      };
      models[resource] = {
        key: modelKey(workload[resource]),
        ...describeModel(current.model, { record: current }),
      };
    }
    out.model = models;
    return out;
  }

  /** Each workload with its models' state: what `GET /v1/workloads` and the status page list. */
  async list(): Promise<WorkloadListing[]> {
    return Promise.all(
      this.deps.workloads.workloads.map(async (workload): Promise<WorkloadListing> => {
        const resources = {} as Record<ResourceKind, ResourceListing>;
        for (const resource of RESOURCES) {
          const config = workload[resource];
          const { current } = await this.planner.fromStore(() =>
            this.deps.store.getModels<TrainedModel>(modelKey(config)),
          );
          const sampling = this.deps.workloads.samplingOf(workload, resource);
          resources[resource] = {
            query: (config as { query?: string }).query ?? null,
            status: current ? 'trained' : 'not_trained',
            model: current
              ? {
                  version: current.version,
                  method: current.model.method,
                  usable: current.model.usable,
                  trainedAt: new Date(current.savedAtMs).toISOString(),
                }
              : null,
            lastSample:
              sampling.lastSampleAtMs === undefined ? null : new Date(sampling.lastSampleAtMs).toISOString(),
            ...(sampling.lastError !== undefined && { lastError: sampling.lastError }),
          };
        }
        return {
          name: workload.name,
          namespace: workload.namespace,
          timezone: workload.timezone,
          ...resources,
        };
      }),
    );
  }

  private async currents(workload: Workload): Promise<Record<ResourceKind, ModelRecord<TrainedModel>>> {
    return {
      cpu: await this.planner.currentModel(workload.cpu, nameOf(workload, 'cpu')),
      memory: await this.planner.currentModel(workload.memory, nameOf(workload, 'memory')),
    };
  }
}

function nameOf(workload: Workload, resource: ResourceKind): string {
  return `workload ${workload.name} (${resource})`;
}

/**
 * `GET /v1/workloads` and `GET /v1/workloads/{name}/forecast?window=…` (or `?at=ISO-8601`): the
 * workloads of `WORKLOADS_FILE`, planned without a ScaledObject.
 */
export function workloadRoutes(forecasts: WorkloadForecasts): HttpRoute[] {
  return [
    async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
      const parts = url.pathname.split('/').filter((part) => part !== '');
      if (parts[0] !== 'v1' || parts[1] !== 'workloads') return false;
      try {
        allow(req.method ?? 'GET', 'GET');
        if (parts.length === 2) {
          sendJson(res, 200, { workloads: await forecasts.list() });
        } else if (parts.length === 4 && parts[3] === 'forecast') {
          const workload = forecasts.find(decodeSegment(parts[2] as string));
          const at = url.searchParams.get('at');
          if (at !== null) {
            const atMs = Date.parse(at);
            if (!Number.isFinite(atMs)) {
              throw new ApiError(
                400,
                `at ${JSON.stringify(at)} is not an ISO-8601 time such as 2026-03-02T09:00:00Z`,
              );
            }
            sendJson(res, 200, await forecasts.at(workload, atMs));
          } else {
            const window = forecasts.windowOf(url.searchParams);
            const { view } = await forecasts.window(
              workload,
              window,
              timezoneFrom(url.searchParams, workload.timezone),
            );
            sendJson(res, 200, view);
          }
        } else {
          throw new ApiError(
            404,
            `no route for ${url.pathname}: expected /v1/workloads or /v1/workloads/{name}/forecast?window=next_day`,
          );
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        sendJson(res, error.status, { error: error.message, ...error.extra }, error.headers);
      }
      return true;
    },
  ];
}
