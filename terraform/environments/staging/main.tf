# The whole environment is modules/platform (its variables.tf documents each
# argument); this directory holds only what differs: state, name, region and
# CIDR (backend.tf) and the sizes below.
module "platform" {
  source = "../../modules/platform"

  environment          = local.environment
  cidr_prefix          = local.cidr_prefix
  region               = local.region
  azs                  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  node_groups          = { default = { instance_types = ["m6i.large"], min_size = 3, max_size = 6, desired_size = 3 } }
  db_instance_class    = "db.m6g.large"
  redis_node_type      = "cache.m6g.large"
  mq_instance_type     = "mq.m5.large"
  docdb_instance_class = "db.r6g.large"
  deletion_protection  = true
  enable_argocd        = false
  git_repository       = "https://github.com/lms-platform/lms.git"
  github_repository    = "lms-platform/lms"
}
