{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "fc-connector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; component suffixes (-ingress, -processor, -topics) are appended to it. */}}
{{- define "fc-connector.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fc-connector.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "fc-connector.labels" -}}
helm.sh/chart: {{ include "fc-connector.chart" . }}
app.kubernetes.io/name: {{ include "fc-connector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fc-connector
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "ingress"). */}}
{{- define "fc-connector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fc-connector.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "fc-connector.componentLabels" -}}
{{ include "fc-connector.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "fc-connector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fc-connector.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest when image.digest is set (the tag is then ignored), else repository:tag. */}}
{{- define "fc-connector.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret holding the credentials: the operator's existing one, or the one this chart renders. */}}
{{- define "fc-connector.secretName" -}}
{{- default (include "fc-connector.fullname" .) .Values.credentials.existingSecret }}
{{- end }}

{{/* KEDA's SASL mode names for the connector's KAFKA_SASL_MECHANISM values. */}}
{{- define "fc-connector.kedaSaslMode" -}}
{{- $m := .Values.kafka.sasl.mechanism }}
{{- if eq $m "plain" }}plaintext{{ else if eq $m "scram-sha-256" }}scram_sha256{{ else if eq $m "scram-sha-512" }}scram_sha512{{ end }}
{{- end }}

{{/* Common non-secret settings (docs/configuration.md, "Common"), as ConfigMap data. */}}
{{- define "fc-connector.commonConfig" -}}
KAFKA_BROKERS: {{ join "," .Values.kafka.brokers | quote }}
KAFKA_CLIENT_ID: {{ .Values.kafka.clientId | quote }}
KAFKA_SSL: {{ .Values.kafka.ssl | toString | quote }}
{{- with .Values.kafka.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
SCHEMA_REGISTRY_URL: {{ .Values.schemaRegistry.url | quote }}
TOPIC_WEBHOOKS: {{ .Values.topics.webhooks | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
{{- end }}

{{/* One env entry read from the credentials Secret: (dict "root" $ "key" "NAME" "secret" "secret-name"). */}}
{{- define "fc-connector.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}

{{/* Kafka SASL and registry credentials, only when those features are on. */}}
{{- define "fc-connector.connectionSecretEnv" -}}
{{- $secret := default (include "fc-connector.secretName" .root) .secret }}
{{- if .root.Values.kafka.sasl.mechanism }}
{{- range list "KAFKA_SASL_USERNAME" "KAFKA_SASL_PASSWORD" }}
{{ include "fc-connector.secretEnv" (dict "key" . "secret" $secret) }}
{{- end }}
{{- end }}
{{- if .root.Values.schemaRegistry.basicAuth }}
{{- range list "SCHEMA_REGISTRY_USERNAME" "SCHEMA_REGISTRY_PASSWORD" }}
{{ include "fc-connector.secretEnv" (dict "key" . "secret" $secret) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by every workload. */}}
{{- define "fc-connector.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end }}

{{/* An HTTP probe on one of the services' health routes: (dict "path" "/health/live" "probe" .Values.x.livenessProbe). */}}
{{- define "fc-connector.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}
