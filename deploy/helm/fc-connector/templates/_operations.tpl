{{/*
  Operations helpers (issue 20): rollouts (preStop sleep, startupProbe), the CLI's state directory and the
  processor's full environment, shared by the Deployments and the one-off CLI Job.
*/}}

{{/* startupProbe on /health/live: (dict "probe" .Values.x.startupProbe). */}}
{{- define "fc-connector.startupProbe" -}}
httpGet:
  path: /health/live
  port: http
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/*
  lifecycle with a preStop sleep, or nothing when the sleep is 0: (dict "component" "ingress" "c" .Values.ingress).
  The grace period must cover the sleep and then the drain, so a shorter one fails the render.
*/}}
{{- define "fc-connector.preStop" -}}
{{- $seconds := int .c.preStopSleepSeconds }}
{{- if gt $seconds 0 }}
{{- if le (int .c.terminationGracePeriodSeconds) $seconds }}
{{- fail (printf "%s.terminationGracePeriodSeconds (%d) must exceed %s.preStopSleepSeconds (%d): the drain runs after the sleep" .component (int .c.terminationGracePeriodSeconds) .component $seconds) }}
{{- end }}
lifecycle:
  preStop:
    exec:
      # The pod keeps serving while it is taken out of the endpoints; SIGTERM (the graceful drain) follows.
      command: ['sleep', {{ $seconds | toString | quote }}]
{{- end }}
{{- end }}

{{/* FC_CONNECTOR_STATE_DIR: where `fc-connector replay` keeps checkpoints (a mounted, writable volume). */}}
{{- define "fc-connector.stateDir" -}}
{{- .Values.cli.state.mountPath }}
{{- end }}

{{/* The CLI state volume: the PVC when persistence is on (Jobs only), else an emptyDir. (dict "root" $ "persistent" bool) */}}
{{- define "fc-connector.stateVolume" -}}
{{- $p := .root.Values.cli.state.persistence }}
- name: cli-state
{{- if and .persistent $p.enabled }}
  persistentVolumeClaim:
    claimName: {{ default (printf "%s-cli-state" (include "fc-connector.fullname" .root)) $p.existingClaim }}
{{- else }}
  emptyDir:
    sizeLimit: {{ .root.Values.cli.state.sizeLimit }}
{{- end }}
{{- end }}

{{/* Everything the processor reads from the Secret (Kafka/registry credentials, Fluent, commercetools). */}}
{{- define "fc-connector.processorSecretEnv" -}}
{{- $secret := include "fc-connector.secretName" . }}
{{- with trim (include "fc-connector.connectionSecretEnv" (dict "root" .)) }}
{{ . }}
{{- end }}
{{- range list "FLUENT_CLIENT_ID" "FLUENT_CLIENT_SECRET" "FLUENT_USERNAME" "FLUENT_PASSWORD" }}
{{ include "fc-connector.secretEnv" (dict "key" . "secret" $secret) }}
{{- end }}
{{- /* With credentials per project (CT_PROJECTS_FILE) the single-project ones are an optional default. */}}
{{- $perProject := not (empty .Values.processor.commercetools.projects.existingSecret) }}
{{- range list "CT_CLIENT_ID" "CT_CLIENT_SECRET" }}
{{ include "fc-connector.secretEnv" (dict "key" . "secret" $secret "optional" $perProject) }}
{{- end }}
{{- end }}
