{{/* Names and labels shared by every template. */}}

{{- define "trueup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "trueup.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "trueup.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "trueup.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: trueup
{{- end }}

{{- define "trueup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trueup.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "trueup.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "trueup.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "trueup.apiTokenSecret" -}}
{{- default (printf "%s-api-token" (include "trueup.fullname" .)) .Values.apiToken.existingSecret }}
{{- end }}

{{- define "trueup.webhookSecret" -}}
{{- default (printf "%s-webhooks" (include "trueup.fullname" .)) .Values.webhooks.existingSecret }}
{{- end }}

{{- define "trueup.webhooksEnabled" -}}
{{- if or .Values.webhooks.existingSecret .Values.webhooks.secrets }}true{{ end }}
{{- end }}

{{/* The listen port, from server.listen (host:port). */}}
{{- define "trueup.listenPort" -}}
{{- $parts := splitList ":" .Values.server.listen }}
{{- last $parts }}
{{- end }}
