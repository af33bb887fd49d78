variable "chart_repository" {
  description = "Helm repository of the argo-cd and argocd-apps charts."
  type        = string
  default     = "https://argoproj.github.io/argo-helm"
}

variable "argocd_chart_version" {
  description = "Pinned argo-cd chart version."
  type        = string
  default     = "8.3.5"
}

variable "argocd_apps_chart_version" {
  description = "Pinned argocd-apps chart version (holds the root Application)."
  type        = string
  default     = "2.0.2"
}

variable "git_repository" {
  description = "GitOps repository ArgoCD syncs from."
  type        = string
}

variable "git_revision" {
  description = "Branch or tag of the GitOps repository."
  type        = string
  default     = "main"
}

variable "spoke_clusters" {
  description = "Other environments' clusters this ArgoCD deploys to: name => { server, ca_data, role_arn }."
  type = map(object({
    server   = string
    ca_data  = string
    role_arn = string
  }))
  default = {}
}

variable "irsa_role_arn" {
  description = "Role the ArgoCD application controller assumes to reach spoke clusters."
  type        = string
  default     = ""
}
