output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.platform.cluster_name
}

output "irsa_role_arns" {
  description = "IRSA roles to annotate the controllers' service accounts with."
  value       = module.platform.irsa_role_arns
}

output "image_registry" {
  description = "global.image.registry for helm/lms/values-<env>.yaml."
  value       = module.platform.image_registry
}

output "github_release_role_arn" {
  description = "AWS_RELEASE_ROLE_ARN for the release workflow."
  value       = module.platform.github_release_role_arn
}

output "data_store_cidrs" {
  description = "networkPolicy.dataStores.*.cidrs for the chart."
  value       = module.platform.data_store_cidrs
}

output "endpoints" {
  description = "Data store endpoints, for the per-service secrets in Secrets Manager (lms/<env>/<service>)."
  value       = module.platform.endpoints
}

output "secret_arns" {
  description = "Generated credentials (never in state outputs as plain text)."
  value       = module.platform.secret_arns
}
