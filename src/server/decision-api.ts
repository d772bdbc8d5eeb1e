import type http from 'node:http';
import { ApiError, allow, decodeSegment } from '../metrics/http-api-error';
import type { DecisionLog } from '../decision/decision-log';
import { explainDecision, type DecisionExplanation } from '../decision/explain';
import { sendJson, type HttpRoute } from '../metrics/http-server';
import type { TriggerHandle, TriggerRegistry } from './trigger-registry';

export interface DecisionApiDeps {
  triggers: TriggerRegistry;
  decisions: DecisionLog;
}

/** A trigger's last decision as the API shows it, with the names KEDA uses for it. */
export interface TriggerDecisionView extends DecisionExplanation {
  metricName: string;
  source: string;
}

/**
 * `GET /v1/decisions/{namespace}/{scaledObject}`: per trigger of that ScaledObject the last live value,
 * forecast, returned value, target, implied replicas, change, confidence and a one-sentence reason.
 * Triggers are the ones KEDA has asked this replica about.
 */
export function decisionRoutes(deps: DecisionApiDeps): HttpRoute[] {
  return [
    (req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean => {
      const parts = url.pathname.split('/').filter((part) => part !== '');
      if (parts[0] !== 'v1' || parts[1] !== 'decisions') return false;
      try {
        allow(req.method ?? 'GET', 'GET');
        if (parts.length !== 4) {
          throw new ApiError(
            404,
            `no route for ${url.pathname}: expected /v1/decisions/{namespace}/{scaledObject}`,
          );
        }
        const namespace = decodeSegment(parts[2] as string);
        const name = decodeSegment(parts[3] as string);
        sendJson(res, 200, { namespace, scaledObject: name, triggers: decisionsOf(deps, namespace, name) });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        sendJson(res, error.status, { error: error.message }, error.headers);
      }
      return true;
    },
  ];
}

/** The decisions of one ScaledObject's triggers; 404 naming the ScaledObjects known when it has none. */
export function decisionsOf(deps: DecisionApiDeps, namespace: string, name: string): TriggerDecisionView[] {
  const views: TriggerDecisionView[] = [];
  for (const handle of deps.triggers.all()) {
    if (handle.labels.namespace !== namespace || handle.labels.scaled_object !== name) continue;
    const view = triggerDecision(deps.decisions, handle);
    if (view !== undefined) views.push(view);
  }
  if (views.length === 0) {
    const known = [
      ...new Set([...deps.triggers.all()].map((h) => `${h.labels.namespace}/${h.labels.scaled_object}`)),
    ];
    throw new ApiError(
      404,
      `no decision for ${namespace}/${name} yet: decisions appear once KEDA has called GetMetrics or IsActive ` +
        `for the ScaledObject on this replica; known: ${known.length === 0 ? 'none' : known.sort().join(', ')}`,
    );
  }
  return views;
}

export function triggerDecision(log: DecisionLog, handle: TriggerHandle): TriggerDecisionView | undefined {
  const history = log.history(handle.key);
  if (history === undefined) return undefined;
  return {
    metricName: handle.config.metricName,
    source: handle.config.source,
    ...explainDecision(handle.config, history),
  };
}
