{{/* Name of one component's objects: <release>-<component>. */}}
{{- define "lms.componentName" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lms.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "lms.labels" -}}
{{ include "lms.selectorLabels" . }}
app.kubernetes.io/part-of: lms
app.kubernetes.io/component: {{ ternary "gateway" "service" (eq .name "gateway") }}
app.kubernetes.io/version: {{ include "lms.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "lms.imageTag" -}}
{{- $img := .svc.image | default dict -}}
{{- $img.tag | default .root.Values.global.image.tag -}}
{{- end -}}

{{- define "lms.image" -}}
{{- $g := .root.Values.global.image -}}
{{- $img := .svc.image | default dict -}}
{{- $repo := $img.repository | default (printf "%s/%s" $g.repositoryPrefix .name) -}}
{{- $ref := ternary (printf "%s/%s" $g.registry $repo) $repo (ne $g.registry "") -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $ref $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (include "lms.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/* Effective workload settings: chart defaults overlaid by the component's own. */}}
{{- define "lms.workload" -}}
{{- $own := pick .svc "replicas" "resources" "autoscaling" "podDisruptionBudget" "terminationGracePeriodSeconds" -}}
{{- mergeOverwrite (deepCopy .root.Values.defaults) $own | toJson -}}
{{- end -}}

{{- define "lms.secretName" -}}
{{- .svc.secretName | default (include "lms.componentName" .) -}}
{{- end -}}

{{- define "lms.jwtSecretName" -}}
{{- printf "%s-user-jwt" .root.Release.Name -}}
{{- end -}}

{{- define "lms.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "lms.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* envFrom shared by the Deployment and the migration Job. */}}
{{- define "lms.envFrom" -}}
- configMapRef:
    name: {{ include "lms.componentName" . }}
- secretRef:
    name: {{ include "lms.secretName" . }}
{{- end -}}

{{- define "lms.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .svc.jwtKeys }}
- name: jwt-keys
  mountPath: /var/run/secrets/lms/jwt
  readOnly: true
{{- end }}
{{- end -}}

{{- define "lms.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .svc.jwtKeys }}
- name: jwt-keys
  secret:
    secretName: {{ include "lms.jwtSecretName" . }}
    defaultMode: 0400
{{- end }}
{{- end -}}

{{/* Non-secret environment of one component (ConfigMap data and migration Job env). */}}
{{- define "lms.config" -}}
PORT: {{ .svc.port | quote }}
HOST: "0.0.0.0"
LOG_LEVEL: {{ .root.Values.global.logLevel | quote }}
ZIPKIN_URL: {{ .root.Values.global.zipkinUrl | quote }}
JWKS_URL: {{ printf "http://%s.%s.svc.cluster.local:%v/.well-known/jwks.json" (include "lms.componentName" (dict "root" .root "name" "user")) .root.Release.Namespace .root.Values.services.user.port | quote }}
JWT_ISSUER: {{ .root.Values.global.jwt.issuer | quote }}
JWT_AUDIENCE: {{ .root.Values.global.jwt.audience | quote }}
{{- if .svc.jwtKeys }}
JWT_PRIVATE_KEY_FILE: /var/run/secrets/lms/jwt/private.pem
{{- end }}
{{- if eq .name "gateway" }}
{{- range $up := list "user" "course" "enrollment" "assessment" "notification" }}
{{- $upSvc := index $.root.Values.services $up }}
UPSTREAM_{{ upper $up }}_URL: {{ printf "http://%s.%s.svc.cluster.local:%v" (include "lms.componentName" (dict "root" $.root "name" $up)) $.root.Release.Namespace $upSvc.port | quote }}
{{- end }}
{{- end }}
{{- range $k, $v := .svc.env }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end -}}
