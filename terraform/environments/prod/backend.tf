# State: S3 (versioned, encrypted) with DynamoDB locking, created once by
# terraform/state-backend. One bucket and lock table per account.
terraform {
  backend "s3" {
    bucket         = "lms-terraform-state-prod"
    key            = "lms/prod/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "lms-terraform-locks-prod"
    encrypt        = true
  }
}

locals {
  region      = "eu-west-1"
  owner       = "platform-team"
  environment = "prod"
  cidr_prefix = "10.0"
}
