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
{{- if eq $m "plain" }}plaintext{{ else if eq $m "scram-sha-256" }}scram_sha256{{ else if eq $m "scram-sha-512" }}scram_sha512{{ else if eq $m "oauthbearer" }}oauthbearer{{ end }}
{{- end }}

{{/* Common non-secret settings (docs/configuration.md, "Common"), as ConfigMap data. */}}
{{- define "fc-connector.commonConfig" -}}
KAFKA_BROKERS: {{ join "," .Values.kafka.brokers | quote }}
KAFKA_CLIENT_ID: {{ .Values.kafka.clientId | quote }}
KAFKA_SSL: {{ .Values.kafka.ssl | toString | quote }}
{{- with .Values.kafka.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
{{- if eq .Values.kafka.sasl.mechanism "oauthbearer" }}
{{- with .Values.kafka.sasl.oauthbearer }}
KAFKA_SASL_OAUTHBEARER_TOKEN_URL: {{ .tokenUrl | quote }}
{{- with .scope }}
KAFKA_SASL_OAUTHBEARER_SCOPE: {{ . | quote }}
{{- end }}
{{- with .extensions }}
KAFKA_SASL_OAUTHBEARER_EXTENSIONS: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- include "fc-connector.tlsFileConfig" (dict "tls" .Values.kafka.tls "prefix" "KAFKA_SSL" "dir" "/etc/fc-connector/kafka-tls") }}
SCHEMA_REGISTRY_URL: {{ .Values.schemaRegistry.url | quote }}
SCHEMA_REGISTRY_AUTO_REGISTER: {{ .Values.schemaRegistry.autoRegister | toString | quote }}
{{- include "fc-connector.tlsFileConfig" (dict "tls" .Values.schemaRegistry.tls "prefix" "SCHEMA_REGISTRY" "dir" "/etc/fc-connector/registry-tls") }}
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
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/*
commercetools credentials per project (CT_PROJECTS_FILE): the JSON under processor.commercetools.projects.key of the
existingSecret, mounted read-only where CT_PROJECTS_FILE points. Only that key is projected into the pod.
*/}}
{{- define "fc-connector.ctProjectsDir" -}}
/etc/fc-connector/ct-projects
{{- end }}

{{- define "fc-connector.ctProjectsFile" -}}
{{ include "fc-connector.ctProjectsDir" . }}/{{ .Values.processor.commercetools.projects.key }}
{{- end }}

{{- define "fc-connector.ctProjectsVolume" -}}
{{- $projects := .Values.processor.commercetools.projects }}
{{- with $projects.existingSecret }}
- name: ct-projects
  secret:
    secretName: {{ . }}
    defaultMode: 288 # 0440: owner and group (fsGroup) may read
    items:
      - key: {{ $projects.key }}
        path: {{ $projects.key }}
{{- end }}
{{- end }}

{{- define "fc-connector.ctProjectsVolumeMount" -}}
{{- if .Values.processor.commercetools.projects.existingSecret }}
- name: ct-projects
  mountPath: {{ include "fc-connector.ctProjectsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* Kafka SASL and registry credentials, only when those features are on. */}}
{{- define "fc-connector.connectionSecretEnv" -}}
{{- $secret := default (include "fc-connector.secretName" .root) .secret }}
{{- if eq .root.Values.kafka.sasl.mechanism "oauthbearer" }}
{{- range list "KAFKA_SASL_OAUTHBEARER_CLIENT_ID" "KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET" }}
{{ include "fc-connector.secretEnv" (dict "key" . "secret" $secret) }}
{{- end }}
{{- else if .root.Values.kafka.sasl.mechanism }}
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

{{/*
  TLS material mounted from a Secret (docs/configuration.md, "Kafka and registry security"): the `<prefix>_CA_FILE`,
  `_CERT_FILE` and `_KEY_FILE` variables point into the mount; (dict "tls" .Values.kafka.tls "prefix" "KAFKA_SSL" "dir" …).
*/}}
{{- define "fc-connector.tlsFileConfig" -}}
{{- if .tls.secretName }}
{{- with .tls.caKey }}
{{ $.prefix }}_CA_FILE: {{ printf "%s/%s" $.dir . | quote }}
{{- end }}
{{- with .tls.certKey }}
{{ $.prefix }}_CERT_FILE: {{ printf "%s/%s" $.dir . | quote }}
{{- end }}
{{- with .tls.keyKey }}
{{ $.prefix }}_KEY_FILE: {{ printf "%s/%s" $.dir . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Volumes for the Kafka and registry TLS Secrets (every workload that connects: services and CLI jobs). */}}
{{- define "fc-connector.securityVolumes" -}}
{{- with .Values.kafka.tls.secretName }}
- name: kafka-tls
  secret:
    secretName: {{ . }}
    defaultMode: 288 # 0440: owner and group (fsGroup) may read
{{- end }}
{{- with .Values.schemaRegistry.tls.secretName }}
- name: registry-tls
  secret:
    secretName: {{ . }}
    defaultMode: 288 # 0440: owner and group (fsGroup) may read
{{- end }}
{{- end }}

{{/* Read-only mounts of those volumes, where the *_FILE variables point. */}}
{{- define "fc-connector.securityVolumeMounts" -}}
{{- if .Values.kafka.tls.secretName }}
- name: kafka-tls
  mountPath: /etc/fc-connector/kafka-tls
  readOnly: true
{{- end }}
{{- if .Values.schemaRegistry.tls.secretName }}
- name: registry-tls
  mountPath: /etc/fc-connector/registry-tls
  readOnly: true
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
