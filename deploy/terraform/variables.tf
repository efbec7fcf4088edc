variable "region" {
  description = "AWS region for the VPC and the EKS cluster (the S3 backend's region is set in versions.tf)."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Tags on every AWS resource."
  type        = map(string)
  default = {
    project    = "trueup"
    managed-by = "terraform"
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster (also the VPC's and the EBS CSI role's prefix)."
  type        = string
  default     = "trueup"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.31"
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; private subnets take /20s, public subnets /24s of it."
  type        = string
  default     = "10.0.0.0/16"
}

variable "az_count" {
  description = "Availability zones to spread the subnets (and nodes) over."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3 (EKS needs subnets in at least two zones)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = true
}

variable "cluster_endpoint_public_access" {
  description = "Whether the EKS API endpoint is reachable from the internet (terraform and kubectl need a route to it)."
  type        = bool
  default     = true
}

variable "node_instance_types" {
  description = "EC2 instance types of the managed node group."
  type        = list(string)
  default     = ["t3.large"]
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_capacity_type)
    error_message = "node_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_min_size" {
  description = "Minimum number of nodes."
  type        = number
  default     = 2
}

variable "node_max_size" {
  description = "Maximum number of nodes."
  type        = number
  default     = 4
}

variable "node_desired_size" {
  description = "Nodes to start with."
  type        = number
  default     = 2
}

variable "trueup_namespace" {
  description = "Namespace of the trueup controller and of its Applications."
  type        = string
  default     = "trueup"
}

variable "trueup_chart_repository" {
  description = "Helm chart repository URL serving the `trueup` chart; empty: the chart in this repository (deploy/helm/trueup)."
  type        = string
  default     = ""
}

variable "trueup_chart_version" {
  description = "Chart version when installing from trueup_chart_repository."
  type        = string
  default     = "0.1.0"
}

variable "trueup_replicas" {
  description = "Controller replicas (one leads through a Lease, the others stand by)."
  type        = number
  default     = 2
}

variable "trueup_image_repository" {
  description = "Container image of trueup (built from the repository's Dockerfile)."
  type        = string
  default     = "ghcr.io/trueup-dev/trueup"
}

variable "trueup_image_tag" {
  description = "Image tag; empty: the chart's appVersion."
  type        = string
  default     = ""
}

variable "github_webhook_secret" {
  description = "Secret of the GitHub push webhook of the app repository; empty: webhooks refused, trueup polls Git."
  type        = string
  default     = ""
  sensitive   = true
}

variable "root_app_repo_url" {
  description = "Git URL of the application repository (app of apps); empty: no root Application."
  type        = string
  default     = ""
}

variable "root_app_revision" {
  description = "Branch, tag or commit of the application repository."
  type        = string
  default     = "main"
}

variable "root_app_path" {
  description = "Directory of the application repository that holds one Application per component."
  type        = string
  default     = "apps"
}
