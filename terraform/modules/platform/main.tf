# Everything one environment runs: the KMS key, network, EKS, the data stores,
# ECR and (on the hub) ArgoCD. environments/<env>/ call it once with their sizes.

locals {
  name       = "lms-${var.environment}"
  cluster    = "lms-${var.environment}"
  components = ["gateway", "user", "course", "enrollment", "assessment", "notification"]
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "kms" {
  # A key policy's "*" resource means this key only, and the account-root
  # kms:* statement is AWS's default policy that keeps the key manageable.
  #checkov:skip=CKV_AWS_111:Key policy: resource "*" is the key itself; root administers it (AWS default key policy).
  #checkov:skip=CKV_AWS_356:Key policy: resource "*" is the key itself.
  #checkov:skip=CKV_AWS_109:Key policy: the account root must keep permission management over its own key.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
  }
}

# One customer-managed key per environment for every store, log and secret.
resource "aws_kms_key" "this" {
  description             = "${local.name} data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

module "vpc" {
  source = "../vpc"

  name             = local.name
  cluster_name     = local.cluster
  cidr             = "${var.cidr_prefix}.0.0/16"
  azs              = var.azs
  public_subnets   = ["${var.cidr_prefix}.0.0/24", "${var.cidr_prefix}.1.0/24", "${var.cidr_prefix}.2.0/24"]
  private_subnets  = ["${var.cidr_prefix}.100.0/24", "${var.cidr_prefix}.101.0/24", "${var.cidr_prefix}.102.0/24"]
  database_subnets = ["${var.cidr_prefix}.200.0/24", "${var.cidr_prefix}.201.0/24", "${var.cidr_prefix}.202.0/24"]
  kms_key_arn      = aws_kms_key.this.arn
}

module "eks" {
  source = "../eks"

  cluster_name            = local.cluster
  kubernetes_version      = "1.30"
  private_subnet_ids      = module.vpc.private_subnet_ids
  kms_key_arn             = aws_kms_key.this.arn
  node_groups             = var.node_groups
  external_secrets_prefix = "lms/${var.environment}"
}

module "rds" {
  source = "../rds"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.database_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  kms_key_arn                = aws_kms_key.this.arn
  instance_class             = var.db_instance_class
  deletion_protection        = var.deletion_protection
}

module "elasticache" {
  source = "../elasticache"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.database_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  kms_key_arn                = aws_kms_key.this.arn
  instance_class             = var.redis_node_type
}

module "mq" {
  source = "../mq"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.database_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  kms_key_arn                = aws_kms_key.this.arn
  instance_class             = var.mq_instance_type
}

module "docdb" {
  source = "../docdb"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.database_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  kms_key_arn                = aws_kms_key.this.arn
  instance_class             = var.docdb_instance_class
  deletion_protection        = var.deletion_protection
}

module "ecr" {
  source = "../ecr"

  repositories                = [for c in local.components : "lms/${c}"]
  kms_key_arn                 = aws_kms_key.this.arn
  github_repository           = var.github_repository
  create_github_oidc_provider = var.github_repository != ""
}

module "argocd" {
  source = "../argocd-bootstrap"
  count  = var.enable_argocd ? 1 : 0

  git_repository = var.git_repository
  spoke_clusters = var.argocd_spoke_clusters

  depends_on = [module.eks]
}
