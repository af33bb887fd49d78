# State: S3 (versioned, encrypted) with DynamoDB locking, created once by
# terraform/state-backend. One bucket and lock table per account.
terraform {
  backend "s3" {
    bucket         = "lms-terraform-state-dev"
    key            = "lms/dev/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "lms-terraform-locks-dev"
    encrypt        = true
  }
}

locals {
  region      = "eu-west-1"
  owner       = "platform-team"
  environment = "dev"
  cidr_prefix = "10.10"
}
