output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "irsa_role_arns" {
  description = "IRSA roles to annotate the controllers' service accounts with."
  value       = module.eks.irsa_role_arns
}

output "image_registry" {
  description = "global.image.registry for helm/lms/values-<env>.yaml."
  value       = module.ecr.registry
}

output "github_release_role_arn" {
  description = "AWS_RELEASE_ROLE_ARN for the release workflow."
  value       = module.ecr.github_release_role_arn
}

output "data_store_cidrs" {
  description = "networkPolicy.dataStores.*.cidrs for the chart."
  value       = module.vpc.database_subnet_cidrs
}

output "endpoints" {
  description = "Data store endpoints, for the per-service secrets in Secrets Manager (lms/<env>/<service>)."
  value = {
    postgres = module.rds.endpoint
    redis    = module.elasticache.primary_endpoint
    amqps    = module.mq.amqps_endpoint
    docdb    = module.docdb.endpoint
  }
}

output "secret_arns" {
  description = "Generated credentials (never in state outputs as plain text)."
  value = {
    postgres_master = module.rds.master_user_secret_arn
    redis_auth      = module.elasticache.auth_token_secret_arn
    rabbitmq_admin  = module.mq.admin_secret_arn
  }
}

output "cluster_endpoint" {
  description = "EKS API endpoint (for the environment's helm provider)."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority" {
  description = "EKS cluster CA, base64 (for the environment's helm provider)."
  value       = module.eks.cluster_certificate_authority
}
