{{/*
Workload presets: the triggers of one service as JSON, a list of {name, type, metadata}. Only the keys
that belong to the signal are set here; scalerAddress and the prediction keys are added by the caller.
The PromQL and the thresholds are explained in docs/workload-presets.md.

Every threshold is "per replica" because KEDA's fallback needs metricType AverageValue, where the HPA wants
ceil(value / threshold) replicas. Intensive signals (a latency, a ratio) are therefore multiplied by the
current replica count in PromQL, giving ceil(replicas × observed / threshold), the HPA's rule for such
signals. `>= 0` drops the NaN histogram_quantile and 0/0 return while nothing finished in the window:
no series then reads as 0 (ignoreNullValues), not as an error that would trip the fallback.
*/}}

{{/* Call with (dict "ctx" $ "spec" $spec "path" $path). */}}
{{- define "ml-autoscaling.presetTriggers.celery" -}}
{{- $spec := .spec -}}
{{- $t := $spec.triggers -}}
{{- $server := default .ctx.Values.prometheus.serverAddress $spec.prometheus.serverAddress -}}
{{- $m := include "ml-autoscaling.matchers" (list (printf "queue_name=%q" $spec.rabbitmq.queueName) $spec.prometheus.labelMatchers) -}}
{{- $workers := printf "max(celery_active_worker_count%s)" $m -}}
{{- $triggers := list -}}
{{- with $t.queueDepth -}}
{{- if .enabled -}}
{{- $own := default dict .metadata -}}
{{- if not (or $spec.rabbitmq.hostFromEnv (hasKey $own "host") (hasKey $own "hostFromEnv")) -}}
{{- fail (printf "%s.rabbitmq.hostFromEnv is required: the env var of the target container that holds the broker URL (KEDA resolves it; credentials stay in the workload's Secret)" $.path) -}}
{{- end -}}
{{- $md := dict "source" "rabbitmq" "queueName" $spec.rabbitmq.queueName "mode" .mode "value" .value "activationValue" .activationValue -}}
{{- if $spec.rabbitmq.hostFromEnv -}}
{{- $_ := set $md "hostFromEnv" $spec.rabbitmq.hostFromEnv -}}
{{- end -}}
{{- if $spec.rabbitmq.vhostName -}}
{{- $_ := set $md "vhostName" $spec.rabbitmq.vhostName -}}
{{- end -}}
{{- $triggers = append $triggers (dict "name" "queue-depth" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- with $t.taskLatencyP95 -}}
{{- if .enabled -}}
{{- $query := .query -}}
{{- if not $query -}}
{{- $query = printf "(histogram_quantile(0.95, sum by (le) (rate(celery_task_runtime_bucket%s[%s]))) >= 0) * %s" $m .window $workers -}}
{{- end -}}
{{- $md := dict "source" "prometheus" "serverAddress" $server "query" $query "threshold" .threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "task-latency-p95" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- with $t.errorRate -}}
{{- if .enabled -}}
{{- $query := .query -}}
{{- if not $query -}}
{{- $failed := printf "sum(rate(celery_task_failed_total%s[%s]))" $m .window -}}
{{- $succeeded := printf "sum(rate(celery_task_succeeded_total%s[%s]))" $m .window -}}
{{- $query = printf "(%s / (%s + %s) >= 0) * %s" $failed $succeeded $failed $workers -}}
{{- end -}}
{{- $md := dict "source" "prometheus" "serverAddress" $server "query" $query "threshold" .threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "error-rate" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- toJson $triggers -}}
{{- end -}}

{{/* Call with (dict "ctx" $ "spec" $spec "namespace" $namespace). */}}
{{- define "ml-autoscaling.presetTriggers.vllm" -}}
{{- $spec := .spec -}}
{{- $t := $spec.triggers -}}
{{- $server := default .ctx.Values.prometheus.serverAddress $spec.prometheus.serverAddress -}}
{{- $model := "" -}}
{{- if $spec.vllm.modelName -}}
{{- $model = printf "model_name=%q" $spec.vllm.modelName -}}
{{- end -}}
{{- $m := include "ml-autoscaling.matchers" (list $model $spec.prometheus.labelMatchers) -}}
{{- $triggers := list -}}
{{- with $t.requestRate -}}
{{- if .enabled -}}
{{- $query := default (printf "sum(rate(vllm:request_success_total%s[%s]))" $m .window) .query -}}
{{- $md := dict "source" "prometheus" "serverAddress" $server "query" $query "threshold" .threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "request-rate" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- with $t.latencyP95 -}}
{{- if .enabled -}}
{{- $query := .query -}}
{{- if not $query -}}
{{- $query = printf "(histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket%s[%s]))) >= 0) * count(vllm:num_requests_running%s)" $m .window $m -}}
{{- end -}}
{{- $md := dict "source" "prometheus" "serverAddress" $server "query" $query "threshold" .threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "latency-p95" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- with $t.gpuUtilization -}}
{{- if .enabled -}}
{{- $selector := default (printf "namespace=%q,pod=~%q" $.namespace (printf "%s-.*" $spec.scaleTargetRef.name)) .selector -}}
{{- $threshold := mulf (float64 .threshold) (float64 .gpusPerReplica) -}}
{{- $md := dict "source" "gpu" "serverAddress" $server "metric" "utilization" "selector" $selector "aggregation" "sum" "threshold" $threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "gpu-utilization" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- with $t.tokenRate -}}
{{- if .enabled -}}
{{- $query := .query -}}
{{- if not $query -}}
{{- $prompt := printf "sum(rate(vllm:prompt_tokens_total%s[%s]))" $m .window -}}
{{- $generation := printf "sum(rate(vllm:generation_tokens_total%s[%s]))" $m .window -}}
{{- if eq .include "prompt" -}}
{{- $query = $prompt -}}
{{- else if eq .include "generation" -}}
{{- $query = $generation -}}
{{- else -}}
{{- $query = printf "%s + %s" $prompt $generation -}}
{{- end -}}
{{- end -}}
{{- $md := dict "source" "prometheus" "serverAddress" $server "query" $query "threshold" .threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "token-rate" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- with $t.waitingRequests -}}
{{- if .enabled -}}
{{- $query := default (printf "sum(vllm:num_requests_waiting%s)" $m) .query -}}
{{- $md := dict "source" "prometheus" "serverAddress" $server "query" $query "threshold" .threshold "activationThreshold" .activationThreshold -}}
{{- $triggers = append $triggers (dict "name" "waiting-requests" "type" .type "metadata" $md "extra" .metadata) -}}
{{- end -}}
{{- end -}}
{{- toJson $triggers -}}
{{- end -}}

{{/* The prediction keys of one service: top-level predictiveScaling with the service's overrides. */}}
{{- define "ml-autoscaling.predictiveMetadata" -}}
{{- $p := deepCopy .ctx.Values.predictiveScaling -}}
{{- include "ml-autoscaling.mergeInto" (list $p (deepCopy (default dict .spec.predictiveScaling))) -}}
{{- $md := dict -}}
{{- if not $p.enabled -}}
{{- $_ := set $md "predictive" "false" -}}
{{- else if $p.shadow -}}
{{- $_ := set $md "predictive" "shadow" -}}
{{- else -}}
{{- $_ := set $md "predictive" "true" -}}
{{- end -}}
{{- range $key := list "leadTime" "startupTime" "startupTimeQuery" "startupTimeServerAddress" "horizon" "seasonality" "quantile" "shortfallTarget" "historyWindow" "anomalyThreshold" "businessHours" "businessHoursMultiplier" "timezone" "valueScale" -}}
{{- $value := index $p $key -}}
{{- if not (or (kindIs "invalid" $value) (eq (toString $value) "")) -}}
{{- $_ := set $md $key $value -}}
{{- end -}}
{{- end -}}
{{- if not $p.businessHours -}}
{{- $_ := unset $md "businessHoursMultiplier" -}}
{{- end -}}
{{- toJson $md -}}
{{- end -}}
