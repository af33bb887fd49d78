region               = "eu-west-1"
owner                = "platform-team"
azs                  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
node_groups          = { default = { instance_types = ["m6i.xlarge"], min_size = 3, max_size = 10, desired_size = 3 } }
db_instance_class    = "db.m6g.xlarge"
redis_node_type      = "cache.m6g.large"
mq_instance_type     = "mq.m5.xlarge"
docdb_instance_class = "db.r6g.large"
deletion_protection  = true
enable_argocd        = true
git_repository       = "https://github.com/lms-platform/lms.git"
github_repository    = "lms-platform/lms"
