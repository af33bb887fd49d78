provider "aws" {
  region = var.region

  # Mandatory tags on every resource (MAD-stack seed).
  default_tags {
    tags = {
      Environment = local.environment
      Project     = "lms"
      ManagedBy   = "terraform"
      Owner       = var.owner
    }
  }
}

provider "helm" {
  kubernetes {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority)
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
    }
  }
}
