output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "HTTPS endpoint of the Kubernetes API."
  value       = module.eks.cluster_endpoint
}

output "configure_kubectl" {
  description = "Writes a kubeconfig entry for the cluster."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.eks.cluster_name}"
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.vpc.vpc_id
}

output "private_subnets" {
  description = "IDs of the private subnets (the nodes')."
  value       = module.vpc.private_subnets
}

output "ebs_csi_role_arn" {
  description = "IAM role of the EBS CSI controller (IRSA)."
  value       = module.ebs_csi_irsa.iam_role_arn
}

output "storage_class" {
  description = "The default StorageClass (EBS gp3)."
  value       = kubernetes_storage_class_v1.gp3.metadata[0].name
}

output "trueup_namespace" {
  description = "Namespace of trueup and its Applications."
  value       = helm_release.trueup.namespace
}

output "trueup_api_token_command" {
  description = "Prints the trueup API token (never shown by terraform itself)."
  value       = "kubectl -n ${var.trueup_namespace} get secret ${kubernetes_secret_v1.trueup_api_token.metadata[0].name} -o jsonpath='{.data.token}' | base64 -d"
}
