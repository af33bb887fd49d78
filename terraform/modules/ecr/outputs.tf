output "repository_urls" {
  description = "Repository URL per component."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "registry" {
  description = "Registry host (global.image.registry in the chart's values)."
  value       = split("/", values(aws_ecr_repository.this)[0].repository_url)[0]
}

output "github_release_role_arn" {
  description = "Role the release workflow assumes (empty when not created)."
  value       = try(aws_iam_role.github_release[0].arn, "")
}
