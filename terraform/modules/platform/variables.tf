variable "environment" {
  description = "Environment name (dev, staging, prod): part of every resource name."
  type        = string
}

variable "cidr_prefix" {
  description = "First two octets of the VPC's /16, e.g. \"10.0\"."
  type        = string
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
}

variable "azs" {
  description = "Three availability zones."
  type        = list(string)
}

variable "node_groups" {
  description = "EKS managed node groups."
  type = map(object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    capacity_type  = optional(string, "ON_DEMAND")
    disk_size_gb   = optional(number, 50)
  }))
}

variable "db_instance_class" {
  description = "RDS PostgreSQL instance class."
  type        = string
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "mq_instance_type" {
  description = "Amazon MQ broker instance type."
  type        = string
}

variable "docdb_instance_class" {
  description = "DocumentDB instance class."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the data stores from deletion."
  type        = bool
}

variable "enable_argocd" {
  description = "Install ArgoCD here (the hub that deploys every environment)."
  type        = bool
  default     = false
}

variable "argocd_spoke_clusters" {
  description = "Clusters of the other environments that the hub ArgoCD deploys to."
  type = map(object({
    server   = string
    ca_data  = string
    role_arn = string
  }))
  default = {}
}

variable "git_repository" {
  description = "GitOps repository (https URL)."
  type        = string
}

variable "github_repository" {
  description = "owner/name allowed to push images through GitHub OIDC (empty: none)."
  type        = string
  default     = ""
}
