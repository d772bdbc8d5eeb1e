import type http from 'node:http';
import type { Logger } from 'pino';
import { modelKey } from '../forecast/lifecycle/model-key';
import type { TrainedModel } from '../forecast/types';
import { sendJson, type HttpRoute } from '../metrics/http-server';
import type { TriggerHandle, TriggerRegistry } from '../server/trigger-registry';
import type { StateStore } from '../store/state-store';
import { formatDuration } from '../util/duration';
import { describeModel } from './model-info';
import { DEFAULT_POLICIES, recommend } from './recommend';
import { resourceKindOf } from './resource-kind';
import { ApiError, allow, decodeSegment } from '../metrics/http-api-error';
import { policyFrom, sameSecret, timezoneFrom } from './http-request';
import { describeRecord, recommendationView, triggerView } from './http-views';
import { tidy, tidySummary } from './window-forecast';
import { CAPACITY_WINDOWS, isCapacityWindow, type CapacityWindow } from './windows';
import { WindowPlanner } from './window-planner';
import { formatLocalTime } from '../util/zoned-time';

/** What the capacity API reads: the store's models and history, and the triggers KEDA asked about. */
export interface CapacityApiDeps {
  store: StateStore;
  triggers: TriggerRegistry;
  clock: () => number;
  logger: Logger;
  /** Bearer token for POST …/rollback; undefined disables rollback (403). */
  adminToken: string | undefined;
  /** `Retry-After` for a trigger whose model is not trained yet. */
  retryAfterSeconds: number;
}

/**
 * The read-only forecast API (and the one write, rollback) on the scaler's HTTP port:
 * - `GET /forecast/{namespace}/{scaledObject}/{metricName}?window=next_day|next_week|next_weekend|next_month`
 *   (also `resource=cpu|memory|none`, `timezone`, `requestMultiplier`, `limitMultiplier`, `allowBelowPeak`);
 * - `GET /models`, `GET /models/{namespace}/{scaledObject}/{metricName}`;
 * - `POST /models/{namespace}/{scaledObject}/{metricName}/rollback` with `Authorization: Bearer <ADMIN_TOKEN>`.
 * Triggers are the ones KEDA has asked this replica about (the registry), so the names are the ones
 * KEDA uses: the ScaledObject's namespace and name, and the metric name GetMetricSpec returned.
 */
export function capacityRoutes(deps: CapacityApiDeps): HttpRoute[] {
  const api = new CapacityApi(deps);
  return [(req, res, url) => api.handle(req, res, url)];
}

class CapacityApi {
  private readonly planner: WindowPlanner;

  constructor(private readonly deps: CapacityApiDeps) {
    this.planner = new WindowPlanner(deps);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const raw = url.pathname.split('/').filter((part) => part !== '');
    const root = raw[0];
    if (root !== 'forecast' && root !== 'models') return false;
    try {
      const parts = raw.map(decodeSegment);
      const method = req.method ?? 'GET';
      if (root === 'forecast' && parts.length === 4) {
        allow(method, 'GET');
        sendJson(res, 200, await this.forecast(parts as Path, url.searchParams));
      } else if (root === 'models' && parts.length === 1) {
        allow(method, 'GET');
        sendJson(res, 200, await this.listModels());
      } else if (root === 'models' && parts.length === 4) {
        allow(method, 'GET');
        sendJson(res, 200, await this.model(parts as Path));
      } else if (root === 'models' && parts.length === 5 && parts[4] === 'rollback') {
        allow(method, 'POST');
        sendJson(res, 200, await this.rollback(parts as Path, req.headers.authorization));
      } else {
        throw new ApiError(
          404,
          `no route for ${method} ${url.pathname}: expected /forecast/{namespace}/{scaledObject}/{metricName}, ` +
            '/models, /models/{namespace}/{scaledObject}/{metricName} or …/rollback',
        );
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(res, error.status, { error: error.message, ...error.extra }, error.headers);
    }
    return true;
  }

  private async forecast(path: Path, query: URLSearchParams): Promise<unknown> {
    const windowParam = query.get('window') ?? 'next_day';
    if (!isCapacityWindow(windowParam)) {
      throw new ApiError(
        400,
        `window ${JSON.stringify(windowParam)} is invalid: expected one of ${CAPACITY_WINDOWS.join(', ')}`,
      );
    }
    const window: CapacityWindow = windowParam;
    const policy = policyFrom(query, DEFAULT_POLICIES[window]);
    const handle = this.findTrigger(path);
    const config = handle.config;
    const timezone = timezoneFrom(query, config.timezone);
    const kind = resourceKindOf(query.get('resource'), config);
    if ('error' in kind) throw new ApiError(400, kind.error);
    const key = modelKey(config);
    const current = await this.planner.currentModel(config, describePath(path));
    const model = current.model;
    const plan = await this.planner.plan(config, current, window, timezone, describePath(path));
    const recommendation =
      kind.resource === undefined
        ? undefined
        : recommend(kind.resource, plan.summary.quantile.value, plan.observedPeak, policy);
    return {
      trigger: triggerView(handle, key),
      window: {
        name: window,
        from: new Date(plan.range.fromMs).toISOString(),
        to: new Date(plan.range.toMs).toISOString(),
        fromLocal: formatLocalTime(plan.range.fromMs, timezone),
        toLocal: formatLocalTime(plan.range.toMs, timezone),
        timezone,
        resolution: formatDuration(plan.resolutionMs),
      },
      summary: tidySummary(plan.summary),
      observedPeak: plan.observedPeak === undefined ? null : tidy(plan.observedPeak),
      ...(model.usable
        ? {}
        : {
            warning:
              'this model did not beat the baselines, so the scaler runs the trigger live-only; ' +
              'its forecast is shown for reference',
          }),
      model: { key, ...describeModel(model, { record: current }) },
      uncertainty: {
        lastSample: new Date(plan.uncertainty.lastSampleMs).toISOString(),
        scalingBand: formatDuration(plan.uncertainty.scalingBandMs),
        calibratedHorizon: formatDuration(plan.uncertainty.calibratedHorizonMs),
        longHorizonMethod: plan.uncertainty.longHorizonMethod,
      },
      resource: kind.resource ?? null,
      resourceInferred: kind.inferred,
      ...(recommendation ? { recommendation: recommendationView(recommendation) } : {}),
      points: plan.points,
    };
  }

  private async listModels(): Promise<unknown> {
    const byName = new Map<string, TriggerHandle>();
    for (const handle of this.deps.triggers.all()) {
      const name = `${handle.labels.namespace}/${handle.labels.scaled_object}/${handle.config.metricName}`;
      const seen = byName.get(name);
      if (!seen || handle.lastSeenMs > seen.lastSeenMs) byName.set(name, handle);
    }
    const models = await Promise.all(
      [...byName.keys()].sort().map(async (name) => {
        const handle = byName.get(name) as TriggerHandle;
        const key = modelKey(handle.config);
        const slots = await this.planner.fromStore(() => this.deps.store.getModels<TrainedModel>(key));
        return {
          ...triggerView(handle, key),
          status: slots.current ? 'trained' : 'not_trained',
          current: slots.current ? describeRecord(slots.current, false) : null,
          previous: slots.previous ? describeRecord(slots.previous, false) : null,
        };
      }),
    );
    return { models };
  }

  private async model(path: Path): Promise<unknown> {
    const handle = this.findTrigger(path);
    const key = modelKey(handle.config);
    const slots = await this.planner.fromStore(() => this.deps.store.getModels<TrainedModel>(key));
    if (!slots.current) throw this.planner.notTrained(describePath(path));
    return {
      trigger: triggerView(handle, key),
      current: describeRecord(slots.current, true),
      previous: slots.previous ? describeRecord(slots.previous, true) : null,
    };
  }

  private async rollback(path: Path, authorization: string | undefined): Promise<unknown> {
    const token = this.deps.adminToken;
    if (token === undefined) {
      throw new ApiError(403, 'rollback is disabled: set ADMIN_TOKEN on the scaler to enable it');
    }
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (given === undefined || !sameSecret(given, token)) {
      throw new ApiError(
        401,
        given === undefined
          ? 'rollback needs the header Authorization: Bearer <ADMIN_TOKEN>'
          : 'the bearer token does not match ADMIN_TOKEN',
        {},
        { 'www-authenticate': 'Bearer realm="keda-predictive-scaler"' },
      );
    }
    const handle = this.findTrigger(path);
    const key = modelKey(handle.config);
    const restored = await this.planner.fromStore(() => this.deps.store.rollbackModel<TrainedModel>(key));
    if (!restored) {
      const slots = await this.planner.fromStore(() => this.deps.store.getModels<TrainedModel>(key));
      if (!slots.current) throw this.planner.notTrained(describePath(path));
      throw new ApiError(409, `no previous model of ${describePath(path)} is kept: nothing to roll back to`, {
        current: describeRecord(slots.current, false),
      });
    }
    const slots = await this.planner.fromStore(() => this.deps.store.getModels<TrainedModel>(key));
    this.deps.logger.info(
      {
        model: key,
        namespace: handle.labels.namespace,
        scaledObject: handle.labels.scaled_object,
        metric: handle.config.metricName,
        restoredVersion: restored.version,
        replacedVersion: slots.previous?.version,
      },
      'model rolled back through the HTTP API',
    );
    return {
      trigger: triggerView(handle, key),
      restored: describeRecord(restored, false),
      previous: slots.previous ? describeRecord(slots.previous, false) : null,
      note:
        'every replica loads the restored model within MODEL_REFRESH_INTERVAL; the next scheduled training ' +
        '(RETRAIN_INTERVAL) replaces it unless the new model scores clearly worse',
    };
  }

  private findTrigger(path: Path): TriggerHandle {
    const [, namespace, scaledObject, metricName] = path;
    // KEDA shows the metric with its own `s0-` prefix in the HPA; accept it as well as ours.
    const wanted = metricName.toLowerCase().replace(/^s\d+-/, '');
    let found: TriggerHandle | undefined;
    const siblings = new Set<string>();
    for (const handle of this.deps.triggers.all()) {
      if (handle.labels.namespace !== namespace || handle.labels.scaled_object !== scaledObject) continue;
      siblings.add(handle.config.metricName);
      if (handle.config.metricName.toLowerCase() !== wanted) continue;
      if (!found || handle.lastSeenMs > found.lastSeenMs) found = handle;
    }
    if (found) return found;
    throw new ApiError(
      404,
      `unknown trigger ${namespace}/${scaledObject}/${metricName}: this scaler has not been asked about it. ` +
        'Triggers appear once KEDA polls them; use the namespace and name of the ScaledObject and the metric ' +
        'name GetMetricSpec returned (GET /models lists them)',
      siblings.size > 0 ? { metricsOfThisScaledObject: [...siblings].sort() } : {},
    );
  }
}

/** `['forecast' | 'models', namespace, scaledObject, metricName]`. */
type Path = [string, string, string, string, ...string[]];

function describePath(path: Path): string {
  return `${path[1]}/${path[2]}/${path[3]}`;
}
