terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Remote state: one S3 object, encrypted at rest, versioned bucket, and a DynamoDB lock so two
  # `terraform apply` never run against the same state at once. Create both first with
  # ./bootstrap (same names). A backend block cannot read variables: to use other names, pass
  # `terraform init -backend-config="bucket=..." -backend-config="dynamodb_table=..."`.
  backend "s3" {
    bucket         = "trueup-terraform-state"
    key            = "trueup/eks/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "trueup-terraform-locks"
    encrypt        = true
  }
}
