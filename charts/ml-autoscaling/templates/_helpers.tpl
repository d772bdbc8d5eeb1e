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

{{/* A ClusterTriggerAuthentication is cluster-wide: its name carries the release namespace to stay unique. */}}
{{- define "ml-autoscaling.tls.triggerAuthName" -}}
{{- if eq .Values.tls.client.authenticationKind "ClusterTriggerAuthentication" -}}
{{- printf "%s-scaler-tls-%s" (include "ml-autoscaling.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-scaler-tls" (include "ml-autoscaling.fullname" .) -}}
{{- end -}}
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
{{- with .Values.additionalLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Annotations of one object: additionalAnnotations under the object's own (which win on a shared key), as
YAML, or "" when there are none. Call with (dict "ctx" $ "own" $ownAnnotations).
*/}}
{{- define "ml-autoscaling.annotations" -}}
{{- $merged := merge (deepCopy (default dict .own)) (deepCopy (default dict .ctx.Values.additionalAnnotations)) -}}
{{- if $merged -}}
{{- toYaml $merged -}}
{{- end -}}
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

{{/*
A duration as the scaler parses it (src/config/parse.ts): Go-style parts (`30s`, `1h30m`, `14d`, `500ms`),
a bare integer being milliseconds. Prints the milliseconds, or "" when the text is not a duration.
*/}}
{{- define "ml-autoscaling.durationMs" -}}
{{- $text := trim (toString .) -}}
{{- if regexMatch "^[0-9]+$" $text -}}
{{- $text -}}
{{- else if regexMatch "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$" $text -}}
{{- $unitMs := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 -}}
{{- $total := 0.0 -}}
{{- range $part := regexFindAll "[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)" $text -1 -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $part -}}
{{- $unit := trimPrefix $number $part -}}
{{- $total = addf $total (mulf (float64 $number) (index $unitMs $unit)) -}}
{{- end -}}
{{- $total -}}
{{- end -}}
{{- end -}}

{{/* "true" when the KEDA version the chart renders for (kedaVersion) is at least the given "major.minor". */}}
{{- define "ml-autoscaling.kedaAtLeast" -}}
{{- $have := splitList "." (toString .ctx.Values.kedaVersion) -}}
{{- $want := splitList "." .version -}}
{{- $haveMinor := add (mul (atoi (index $have 0)) 1000) (atoi (default "0" (index $have 1))) -}}
{{- $wantMinor := add (mul (atoi (index $want 0)) 1000) (atoi (index $want 1)) -}}
{{- if ge $haveMinor $wantMinor -}}true{{- end -}}
{{- end -}}

{{/* "true" when scaler.caBundle names a ConfigMap or Secret to mount. */}}
{{- define "ml-autoscaling.caBundle.enabled" -}}
{{- if or .Values.scaler.caBundle.configMapName .Values.scaler.caBundle.secretName -}}true{{- end -}}
{{- end -}}

{{/*
Checks a KEDA cpu or memory trigger as KEDA's cpu_memory_scaler parses it: metricType Utilization (an
integer percentage) or AverageValue (a quantity) in `value`, optionally `containerName`.
Call with (dict "trigger" $trigger "path" $path).
*/}}
{{- define "ml-autoscaling.checkResourceTrigger" -}}
{{- $t := .trigger -}}
{{- $name := toString (default $t.type $t.name) -}}
{{- if not (has $t.metricType (list "Utilization" "AverageValue")) -}}
{{- fail (printf "%s: %s trigger %q needs metricType Utilization or AverageValue (got %q), as KEDA requires" .path $t.type $name (toString $t.metricType)) -}}
{{- end -}}
{{- $value := toString (index (default dict $t.metadata) "value") -}}
{{- if eq $t.metricType "Utilization" -}}
{{- if not (regexMatch "^[0-9]+$" $value) -}}
{{- fail (printf "%s: %s trigger %q with metricType Utilization needs metadata.value, a whole percentage such as \"70\" (got %q)" .path $t.type $name $value) -}}
{{- end -}}
{{- else if not (regexMatch "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$" $value) -}}
{{- fail (printf "%s: %s trigger %q with metricType AverageValue needs metadata.value, a Kubernetes quantity such as \"500m\" or \"512Mi\" (got %q)" .path $t.type $name $value) -}}
{{- end -}}
{{- range $key, $_ := (default dict $t.metadata) -}}
{{- if not (has $key (list "value" "containerName")) -}}
{{- fail (printf "%s: %s trigger %q has metadata key %q; KEDA's %s trigger reads only value and containerName" $.path $t.type $name $key $t.type) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A service's HPA behavior as KEDA keeps it, as JSON. `tolerance` (behavior.scaleUp/scaleDown, KEDA 2.18+) is a
quantity, which KEDA's CRD takes as a string or an integer, so it is written as a string; for an older KEDA it
is left out, as that KEDA's CRD would prune it. Call with (dict "ctx" $ "behavior" $spec.behavior "path" $path).
*/}}
{{- define "ml-autoscaling.hpaBehavior" -}}
{{- $behavior := deepCopy (default dict .behavior) -}}
{{- $keep := include "ml-autoscaling.kedaAtLeast" (dict "ctx" .ctx "version" "2.18") -}}
{{- range $direction := list "scaleUp" "scaleDown" -}}
{{- $rules := index $behavior $direction -}}
{{- if and $rules (hasKey $rules "tolerance") -}}
{{- if or (not $keep) (kindIs "invalid" $rules.tolerance) -}}
{{- $_ := unset $rules "tolerance" -}}
{{- else -}}
{{- $tolerance := toString $rules.tolerance -}}
{{- if not (regexMatch "^(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$" $tolerance) -}}
{{- fail (printf "%s.behavior.%s.tolerance is %q; give a ratio at least 0 such as 0, 0.05 or \"50m\"" $.path $direction $tolerance) -}}
{{- end -}}
{{- $_ := set $rules "tolerance" $tolerance -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $behavior -}}
{{- end -}}
