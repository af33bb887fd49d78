output "primary_endpoint" {
  description = "Primary endpoint (TLS, port 6379)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "auth_token_secret_arn" {
  description = "Secrets Manager secret with the AUTH token."
  value       = aws_secretsmanager_secret.auth.arn
}
