variable "repositories" {
  description = "Image repositories, one per component (lms/<component>)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the images."
  type        = string
}

variable "keep_tagged_images" {
  description = "How many tagged images each repository keeps."
  type        = number
  default     = 100
}

variable "github_repository" {
  description = "owner/name of the repository whose release workflow may push (GitHub OIDC). Empty: no CI role in this account."
  type        = string
  default     = ""
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (once per account)."
  type        = bool
  default     = false
}
