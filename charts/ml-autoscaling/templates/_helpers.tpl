{{/*
Base of every resource name: the release name unless fullnameOverride is set. Kept to 40 characters so
`<base>-redis-0` and its controller-revision-hash label stay within Kubernetes' limits.
*/}}
{{- define "ml-autoscaling.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ml-autoscaling.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ml-autoscaling.scaler.fullname" -}}
{{- printf "%s-scaler" (include "ml-autoscaling.fullname" .) -}}
{{- end -}}

{{- define "ml-autoscaling.redis.fullname" -}}
{{- printf "%s-redis" (include "ml-autoscaling.fullname" .) -}}
{{- end -}}

{{- define "ml-autoscaling.tls.triggerAuthName" -}}
{{- printf "%s-scaler-tls" (include "ml-autoscaling.fullname" .) -}}
{{- end -}}

{{- define "ml-autoscaling.serviceAccountName" -}}
{{- if .Values.scaler.serviceAccount.create -}}
{{- default (include "ml-autoscaling.scaler.fullname" .) .Values.scaler.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.scaler.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Where KEDA dials the scaler: the headless Service's DNS name, so every ready replica is reached. */}}
{{- define "ml-autoscaling.scalerAddress" -}}
{{- printf "%s.%s.svc.%s:%v" (include "ml-autoscaling.scaler.fullname" .) .Release.Namespace .Values.clusterDomain .Values.scaler.grpcPort -}}
{{- end -}}

{{- define "ml-autoscaling.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "ml-autoscaling.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ml-autoscaling
{{- end -}}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "scaler"). */}}
{{- define "ml-autoscaling.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ml-autoscaling.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ml-autoscaling.componentLabels" -}}
{{ include "ml-autoscaling.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ml-autoscaling.scaler.image" -}}
{{- $image := .Values.scaler.image -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
Which Redis the scaler uses: "external", "bundled" or "none". An external URL or Secret wins over the
bundled Redis (enabled by default), so `--set redis.url=...` alone switches to it.
*/}}
{{- define "ml-autoscaling.redis.mode" -}}
{{- if or .Values.redis.existingSecret .Values.redis.url -}}
external
{{- else if .Values.redis.bundled.enabled -}}
bundled
{{- else -}}
none
{{- end -}}
{{- end -}}

{{- define "ml-autoscaling.redis.passwordSecretName" -}}
{{- default (include "ml-autoscaling.redis.fullname" .) .Values.redis.bundled.existingSecret -}}
{{- end -}}

{{- define "ml-autoscaling.redis.urlSecretName" -}}
{{- default (printf "%s-redis-url" (include "ml-autoscaling.fullname" .)) .Values.redis.existingSecret -}}
{{- end -}}

{{/*
Deep merge of $src into $dst (both dicts), in place. Unlike sprig's merge, a zero value in $src (0, false,
"") overrides: `minReplicas: 0` in an extra service must win over the preset's 2.
*/}}
{{- define "ml-autoscaling.mergeInto" -}}
{{- $dst := index . 0 -}}
{{- $src := index . 1 -}}
{{- range $key, $value := $src -}}
{{- $current := index $dst $key -}}
{{- if and (kindIs "map" $value) (kindIs "map" $current) -}}
{{- include "ml-autoscaling.mergeInto" (list $current $value) -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The services to scale, as JSON: a list of {path, preset, spec}, `spec` being the service's effective values
(an extra entry merged over the preset service it names). Disabled services are left out.
*/}}
{{- define "ml-autoscaling.services" -}}
{{- $services := list -}}
{{- $named := dict "celeryWorkers" "celery" "vllmService" "vllm" -}}
{{- range $key := list "celeryWorkers" "vllmService" -}}
{{- $spec := index $.Values.services $key -}}
{{- if $spec.enabled -}}
{{- $services = append $services (dict "path" (printf "services.%s" $key) "preset" (index $named $key) "spec" $spec) -}}
{{- end -}}
{{- end -}}
{{- range $i, $entry := $.Values.services.extra -}}
{{- $preset := default "none" $entry.preset -}}
{{- $spec := dict -}}
{{- if eq $preset "celery" -}}
{{- $spec = deepCopy $.Values.services.celeryWorkers -}}
{{- else if eq $preset "vllm" -}}
{{- $spec = deepCopy $.Values.services.vllmService -}}
{{- end -}}
{{- /* The entry's own identity: never the preset service's name, always enabled unless it says otherwise. */ -}}
{{- $_ := unset $spec "name" -}}
{{- $_ := set $spec "enabled" true -}}
{{- include "ml-autoscaling.mergeInto" (list $spec (deepCopy $entry)) -}}
{{- if $spec.enabled -}}
{{- $services = append $services (dict "path" (printf "services.extra[%d]" $i) "preset" $preset "spec" $spec) -}}
{{- end -}}
{{- end -}}
{{- toJson $services -}}
{{- end -}}

{{/* Namespace of a service's ScaledObject: its own `namespace`, else the release namespace. */}}
{{- define "ml-autoscaling.serviceNamespace" -}}
{{- default .ctx.Release.Namespace .spec.namespace -}}
{{- end -}}

{{/* PromQL label matchers joined with commas; call with a list of strings (empty ones are skipped). */}}
{{- define "ml-autoscaling.matchers" -}}
{{- $parts := list -}}
{{- range . -}}
{{- if . -}}
{{- $parts = append $parts . -}}
{{- end -}}
{{- end -}}
{{- if $parts -}}
{{- printf "{%s}" (join "," $parts) -}}
{{- end -}}
{{- end -}}
