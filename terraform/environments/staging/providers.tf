provider "aws" {
  region = local.region

  # Mandatory tags on every resource (MAD-stack seed).
  default_tags {
    tags = {
      Environment = local.environment
      Project     = "lms"
      ManagedBy   = "terraform"
      Owner       = local.owner
    }
  }
}

provider "helm" {
  kubernetes {
    host                   = module.platform.cluster_endpoint
    cluster_ca_certificate = base64decode(module.platform.cluster_certificate_authority)
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.platform.cluster_name, "--region", local.region]
    }
  }
}
