variable "name" {
  description = "Name prefix for every resource (lms-<env>)."
  type        = string
}

variable "cidr" {
  description = "VPC CIDR block."
  type        = string
}

variable "azs" {
  description = "Exactly three availability zones."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3
    error_message = "The platform spreads over three availability zones."
  }
}

variable "public_subnets" {
  description = "One public subnet CIDR per AZ (NAT gateways, load balancers)."
  type        = list(string)
}

variable "private_subnets" {
  description = "One private subnet CIDR per AZ (EKS nodes and pods)."
  type        = list(string)
}

variable "database_subnets" {
  description = "One isolated subnet CIDR per AZ (RDS, ElastiCache, Amazon MQ, DocumentDB)."
  type        = list(string)
}

variable "cluster_name" {
  description = "EKS cluster name, for the subnet discovery tags of the load balancer controller."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Retention of VPC flow logs in CloudWatch."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow log group."
  type        = string
}
