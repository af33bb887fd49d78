variable "cluster_name" {
  description = "EKS cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS control plane version."
  type        = string
  default     = "1.30"
}


variable "private_subnet_ids" {
  description = "Private subnets for the control plane ENIs and the nodes."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for Kubernetes Secrets envelope encryption, logs and node volumes."
  type        = string
}

variable "endpoint_public_access" {
  description = "Expose the API endpoint publicly (restricted to public_access_cidrs). Off by default: operators reach it through the VPC."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to the public API endpoint when it is enabled."
  type        = list(string)
  default     = []
}

variable "node_groups" {
  description = "Managed node groups: instance types and sizes."
  type = map(object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    capacity_type  = optional(string, "ON_DEMAND")
    disk_size_gb   = optional(number, 50)
  }))
}

variable "log_retention_days" {
  description = "Retention of the control plane logs."
  type        = number
  default     = 365
}

variable "external_secrets_prefix" {
  description = "Secrets Manager name prefix External Secrets Operator may read (lms/<env>)."
  type        = string
}
