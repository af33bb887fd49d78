variable "name" {
  description = "Name prefix (lms-<env>)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the data store."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets, one per AZ."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups (the EKS nodes) allowed to connect."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for encryption at rest, logs and the generated credentials."
  type        = string
}

variable "instance_class" {
  description = "Instance size."
  type        = string
}

variable "backup_retention_days" {
  description = "Days of automated backups (30 per the EKS seed)."
  type        = number
  default     = 30
}

