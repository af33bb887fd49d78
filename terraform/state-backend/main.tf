# Run once per account, with local state, before any environment:
#   tofu -chdir=terraform/state-backend apply -var environment=prod -var owner=platform-team
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

variable "environment" {
  description = "Environment whose state this account keeps (dev, staging, prod)."
  type        = string
}

variable "owner" {
  description = "Owner tag."
  type        = string
}

variable "region" {
  description = "Region of the state bucket."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Environment = var.environment
      Project     = "lms"
      ManagedBy   = "terraform"
      Owner       = var.owner
    }
  }
}

resource "aws_kms_key" "state" {
  description         = "lms-${var.environment} terraform state"
  enable_key_rotation = true
  #checkov:skip=CKV2_AWS_64:The default key policy (account root administers) is the intended policy for the state key.
}

resource "aws_s3_bucket" "state" {
  bucket = "lms-terraform-state-${var.environment}"
  #checkov:skip=CKV_AWS_144:State is restored from versions in the same region; cross-region replication is not required by the RPO.
  #checkov:skip=CKV2_AWS_62:No consumer for state change events.
  #checkov:skip=CKV_AWS_18:Server access logs would need a second bucket per account; access to state is audited by the account CloudTrail (S3 data events), which lives outside this repository.
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_dynamodb_table" "locks" {
  name         = "lms-terraform-locks-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.state.arn
  }
}
