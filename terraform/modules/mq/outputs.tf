output "amqps_endpoint" {
  description = "amqps:// endpoint of the broker."
  value       = aws_mq_broker.this.instances[0].endpoints[0]
}

output "admin_secret_arn" {
  description = "Secrets Manager secret with the broker admin user."
  value       = aws_secretsmanager_secret.admin.arn
}
