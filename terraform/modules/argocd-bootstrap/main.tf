# ArgoCD itself, then one root Application that syncs argocd/ (AppProject and
# ApplicationSet) from Git: everything after this is GitOps.
resource "helm_release" "argocd" {
  name             = "argocd"
  namespace        = "argocd"
  create_namespace = true
  repository       = var.chart_repository
  chart            = "argo-cd"
  version          = var.argocd_chart_version
  atomic           = true
  timeout          = 900

  values = [yamlencode({
    global = { domain = "" }
    configs = {
      params = { "server.insecure" = false }
      cm     = { "admin.enabled" = false, "exec.enabled" = false }
      clusterCredentials = {
        for name, c in var.spoke_clusters : name => {
          server = c.server
          config = {
            awsAuthConfig   = { clusterName = name, roleARN = c.role_arn }
            tlsClientConfig = { insecure = false, caData = c.ca_data }
          }
        }
      }
    }
    controller = {
      serviceAccount = { annotations = var.irsa_role_arn == "" ? {} : { "eks.amazonaws.com/role-arn" = var.irsa_role_arn } }
    }
    server = {
      serviceAccount = { annotations = var.irsa_role_arn == "" ? {} : { "eks.amazonaws.com/role-arn" = var.irsa_role_arn } }
    }
  })]
}

resource "helm_release" "root" {
  name       = "argocd-root"
  namespace  = "argocd"
  repository = var.chart_repository
  chart      = "argocd-apps"
  version    = var.argocd_apps_chart_version
  atomic     = true

  values = [yamlencode({
    applications = {
      lms-root = {
        namespace = "argocd"
        project   = "default"
        source    = { repoURL = var.git_repository, targetRevision = var.git_revision, path = "argocd" }
        destination = {
          server    = "https://kubernetes.default.svc"
          namespace = "argocd"
        }
        syncPolicy = { automated = { prune = true, selfHeal = true } }
      }
    }
  })]

  depends_on = [helm_release.argocd]
}
