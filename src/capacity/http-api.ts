import type http from 'node:http';
import type { Logger } from 'pino';
import { modelKey } from '../forecast/lifecycle/model-key';
import type { TrainedModel } from '../forecast/types';
import { sendJson, type HttpRoute } from '../metrics/http-server';
import type { TriggerHandle, TriggerRegistry } from '../server/trigger-registry';
import { ModelPinnedError, type ModelHistory, type StateStore } from '../store/state-store';
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
  /** Bearer token for POST …/rollback, …/pin and …/unpin; undefined disables them (403). */
  adminToken: string | undefined;
  /** `Retry-After` for a trigger whose model is not trained yet. */
  retryAfterSeconds: number;
}

/**
 * The forecast API and the model administration on the scaler's HTTP port:
 * - `GET /forecast/{namespace}/{scaledObject}/{metricName}?window=next_day|next_week|next_weekend|next_month`
 *   (also `resource=cpu|memory|none`, `timezone`, `requestMultiplier`, `limitMultiplier`, `allowBelowPeak`);
 * - `GET /models`, `GET /models/{namespace}/{scaledObject}/{metricName}` and `…/versions` (kept versions);
 * - `POST …/rollback[?version=N]`, `POST …/pin[?version=N]`, `POST …/unpin`, each with
 *   `Authorization: Bearer <ADMIN_TOKEN>` and each written to the log as one `audit` line.
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
      } else if (root === 'models' && parts.length === 5 && parts[4] === 'versions') {
        allow(method, 'GET');
        sendJson(res, 200, await this.versions(parts as Path));
      } else if (root === 'models' && parts.length === 5 && isModelAction(parts[4])) {
        allow(method, 'POST');
        const action = parts[4];
        this.authorize(action, req.headers.authorization);
        const version = versionFrom(url.searchParams);
        const path = parts as Path;
        const answer =
          action === 'rollback'
            ? await this.rollback(path, version)
            : action === 'pin'
              ? await this.pin(path, version)
              : await this.unpin(path);
        sendJson(res, 200, answer);
      } else {
        throw new ApiError(
          404,
          `no route for ${method} ${url.pathname}: expected /forecast/{namespace}/{scaledObject}/{metricName}, ` +
            '/models, /models/{namespace}/{scaledObject}/{metricName}, …/versions, …/rollback, …/pin or …/unpin',
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

  private authorize(action: ModelAction, authorization: string | undefined): void {
    const token = this.deps.adminToken;
    if (token === undefined) {
      throw new ApiError(403, `${action} is disabled: set ADMIN_TOKEN on the scaler to enable it`);
    }
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (given === undefined || !sameSecret(given, token)) {
      throw new ApiError(
        401,
        given === undefined
          ? `${action} needs the header Authorization: Bearer <ADMIN_TOKEN>`
          : 'the bearer token does not match ADMIN_TOKEN',
        {},
        { 'www-authenticate': 'Bearer realm="keda-predictive-scaler"' },
      );
    }
  }

  private async versions(path: Path): Promise<unknown> {
    const handle = this.findTrigger(path);
    const key = modelKey(handle.config);
    const history = await this.history(key);
    if (history.versions.length === 0) throw this.planner.notTrained(describePath(path));
    return { trigger: triggerView(handle, key), ...historyView(history) };
  }

  private async rollback(path: Path, version: number | undefined): Promise<unknown> {
    const handle = this.findTrigger(path);
    const key = modelKey(handle.config);
    const replaced = await this.planner.fromStore(() => this.deps.store.currentModelVersion(key));
    const restored = await this.planner.fromStore(() =>
      this.refusedWhilePinned(path, () =>
        this.deps.store.rollbackModel<TrainedModel>(key, { version, nowMs: this.deps.clock() }),
      ),
    );
    if (!restored) {
      // Only a refusal reads every kept version: to say which exist.
      const kept = await this.history(key);
      if (kept.versions.length === 0) throw this.planner.notTrained(describePath(path));
      if (version !== undefined) throw notKept(path, version, kept);
      const current = kept.versions.find((v) => v.version === kept.currentVersion);
      throw new ApiError(
        409,
        `no previous model of ${describePath(path)} is kept: nothing to roll back to`,
        current ? { current: describeRecord(current, false) } : {},
      );
    }
    const slots = await this.planner.fromStore(() => this.deps.store.getModels<TrainedModel>(key));
    this.audit('model.rolledBack', handle, key, { version: restored.version, replacedVersion: replaced });
    return {
      trigger: triggerView(handle, key),
      restored: describeRecord(restored, false),
      previous: slots.previous ? describeRecord(slots.previous, false) : null,
      note:
        'every replica loads the restored model within MODEL_REFRESH_INTERVAL; the next scheduled training ' +
        '(RETRAIN_INTERVAL) replaces it unless the new model scores clearly worse: pin it to keep it',
    };
  }

  private async pin(path: Path, version: number | undefined): Promise<unknown> {
    const handle = this.findTrigger(path);
    const key = modelKey(handle.config);
    const replaced = await this.planner.fromStore(() => this.deps.store.currentModelVersion(key));
    const pinned = await this.planner.fromStore(() =>
      this.deps.store.pinModel<TrainedModel>(key, { version, nowMs: this.deps.clock() }),
    );
    if (!pinned) {
      const kept = await this.history(key);
      if (kept.versions.length === 0) throw this.planner.notTrained(describePath(path));
      throw notKept(path, version ?? Number.NaN, kept);
    }
    this.audit('model.pinned', handle, key, {
      version: pinned.version,
      replacedVersion: replaced === pinned.version ? undefined : replaced,
    });
    return {
      trigger: triggerView(handle, key),
      pinned: describeRecord(pinned, false),
      note:
        'training pauses (nothing is fitted or promoted) and rollback is refused until POST …/unpin; every replica ' +
        'loads the pinned model within MODEL_REFRESH_INTERVAL',
    };
  }

  private async unpin(path: Path): Promise<unknown> {
    const handle = this.findTrigger(path);
    const key = modelKey(handle.config);
    const unpinned = await this.planner.fromStore(() => this.deps.store.unpinModel(key));
    if (unpinned === undefined) {
      throw new ApiError(409, `the model of ${describePath(path)} is not pinned: nothing to unpin`);
    }
    this.audit('model.unpinned', handle, key, { version: unpinned });
    return {
      trigger: triggerView(handle, key),
      unpinnedVersion: unpinned,
      note: 'the next scheduled training (RETRAIN_INTERVAL) may promote a new model again',
    };
  }

  private history(key: string): Promise<ModelHistory<TrainedModel>> {
    return this.planner.fromStore(() => this.deps.store.modelHistory<TrainedModel>(key));
  }

  private async refusedWhilePinned<T>(path: Path, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (!(error instanceof ModelPinnedError)) throw error;
      throw new ApiError(
        409,
        `the model of ${describePath(path)} is pinned to version ${error.pinnedVersion}: POST …/unpin first`,
        { pinnedVersion: error.pinnedVersion },
      );
    }
  }

  /** One line per change an operator made, with `audit` naming it, so a log pipeline can keep them apart. */
  private audit(
    event: 'model.rolledBack' | 'model.pinned' | 'model.unpinned',
    handle: TriggerHandle,
    key: string,
    fields: Record<string, number | undefined>,
  ): void {
    this.deps.logger.info(
      {
        audit: event,
        promotedBy: 'operator',
        model: key,
        namespace: handle.labels.namespace,
        scaledObject: handle.labels.scaled_object,
        metric: handle.config.metricName,
        ...fields,
      },
      AUDIT_MESSAGES[event],
    );
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

const MODEL_ACTIONS = ['rollback', 'pin', 'unpin'] as const;
type ModelAction = (typeof MODEL_ACTIONS)[number];

function isModelAction(part: string | undefined): part is ModelAction {
  return (MODEL_ACTIONS as readonly (string | undefined)[]).includes(part);
}

const AUDIT_MESSAGES = {
  'model.rolledBack': 'model rolled back through the HTTP API',
  'model.pinned': 'model pinned through the HTTP API',
  'model.unpinned': 'model unpinned through the HTTP API',
} as const;

/** `?version=N`, a positive integer, or undefined when absent. */
function versionFrom(query: URLSearchParams): number | undefined {
  const raw = query.get('version');
  if (raw === null) return undefined;
  if (!/^[1-9]\d{0,14}$/.test(raw)) {
    throw new ApiError(400, `version ${JSON.stringify(raw)} is invalid: expected a positive whole number`);
  }
  return Number(raw);
}

function notKept(path: Path, version: number, history: ModelHistory<TrainedModel>): ApiError {
  const kept = history.versions.map((v) => v.version);
  return new ApiError(404, `version ${version} of ${describePath(path)} is not kept`, {
    keptVersions: kept,
  });
}

function historyView(history: ModelHistory<TrainedModel>): Record<string, unknown> {
  return {
    currentVersion: history.currentVersion ?? null,
    previousVersion: history.previousVersion ?? null,
    pinnedVersion: history.pinnedVersion ?? null,
    versions: history.versions.map((record) => ({
      ...describeRecord(record, false),
      promotedBy: record.promotedBy ?? null,
      promotedAt: record.promotedAtMs === undefined ? null : new Date(record.promotedAtMs).toISOString(),
    })),
  };
}
