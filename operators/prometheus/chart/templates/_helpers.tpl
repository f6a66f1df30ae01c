{{/*
Names and labels. The full name is the release name, or <release>-<chart>
when the release name does not already hold the chart's name.
*/}}
{{- define "prometheus-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "prometheus-operator.fullname" -}}
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

{{/*
Cluster-scoped objects (ClusterRole, ClusterRoleBinding): with scope
"namespace" one release per namespace may exist, so their names carry it.
*/}}
{{- define "prometheus-operator.clusterName" -}}
{{- if eq .Values.scope "namespace" }}
{{- printf "%s-%s" (include "prometheus-operator.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "prometheus-operator.fullname" . }}
{{- end }}
{{- end }}

{{- define "prometheus-operator.serviceAccountName" -}}
{{- default (include "prometheus-operator.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "prometheus-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "prometheus-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "prometheus-operator.labels" -}}
{{ include "prometheus-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "prometheus-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Values that cannot work together stop the install with a reason.
*/}}
{{- define "prometheus-operator.validate" -}}
{{- if not (has .Values.scope (list "cluster" "namespace")) }}
{{- fail (printf "scope must be \"cluster\" or \"namespace\", not %q" (toString .Values.scope)) }}
{{- end }}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicas > 1 needs leaderElection.enabled: without it every replica reconciles the same objects" }}
{{- end }}
{{- end }}

{{/*
The rules `switchboard rbac` generated into files/role.yaml (the same as
config/rbac/role.yaml), split by the scope of their resources: with
"cluster" true the cluster-scoped ones (Nodes, PersistentVolumes...), with
false the namespaced ones. Renders a YAML list, empty as "[]".
Call with (dict "root" $ "cluster" true|false).
*/}}
{{- define "prometheus-operator.rules" -}}
{{- $clusterScoped := list "/nodes" "/persistentvolumes" "/namespaces" "/componentstatuses"
  "storage.k8s.io/storageclasses" "storage.k8s.io/csidrivers" "storage.k8s.io/csinodes"
  "storage.k8s.io/volumeattachments" "apiextensions.k8s.io/customresourcedefinitions"
  "rbac.authorization.k8s.io/clusterroles" "rbac.authorization.k8s.io/clusterrolebindings"
  "scheduling.k8s.io/priorityclasses" "node.k8s.io/runtimeclasses"
  "networking.k8s.io/ingressclasses" "certificates.k8s.io/certificatesigningrequests"
  "admissionregistration.k8s.io/mutatingwebhookconfigurations"
  "admissionregistration.k8s.io/validatingwebhookconfigurations" }}
{{- $role := .root.Files.Get "files/role.yaml" | fromYaml }}
{{- $out := list }}
{{- range $rule := $role.rules }}
{{- $resources := list }}
{{- range $resource := $rule.resources }}
{{- $key := printf "%s/%s" (first $rule.apiGroups) (first (splitList "/" $resource)) }}
{{- if eq (has $key $clusterScoped) $.cluster }}
{{- $resources = append $resources $resource }}
{{- end }}
{{- end }}
{{- if $resources }}
{{- $out = append $out (merge (dict "resources" $resources) (omit $rule "resources")) }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{- define "prometheus-operator.subjects" -}}
- kind: ServiceAccount
  name: {{ include "prometheus-operator.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
