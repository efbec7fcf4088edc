# trueup itself, installed once by Terraform; from then on Git drives the cluster through the root
# Application (app of apps), which the chart creates from `rootApp` values (a kubernetes_manifest
# would need the Application CRD to exist at plan time, before the chart has installed it).

resource "kubernetes_namespace_v1" "trueup" {
  metadata {
    name = var.trueup_namespace
  }

  depends_on = [module.eks]
}

# The API token: generated here, kept in the (encrypted) state and in a Secret the chart mounts.
resource "random_password" "trueup_api_token" {
  length  = 43
  special = false
}

resource "kubernetes_secret_v1" "trueup_api_token" {
  metadata {
    name      = "trueup-api-token"
    namespace = kubernetes_namespace_v1.trueup.metadata[0].name
  }

  data = {
    token = random_password.trueup_api_token.result
  }
}

# Git push webhooks: only when a secret is given (without one trueup refuses every delivery).
resource "kubernetes_secret_v1" "trueup_webhooks" {
  count = var.github_webhook_secret == "" ? 0 : 1

  metadata {
    name      = "trueup-webhooks"
    namespace = kubernetes_namespace_v1.trueup.metadata[0].name
  }

  data = {
    "webhook-secrets.yaml" = yamlencode({ github = var.github_webhook_secret })
  }
}

locals {
  # The chart from this repository by default; from a chart repository when one is given.
  trueup_chart_from_repo = var.trueup_chart_repository != ""
}

resource "helm_release" "trueup" {
  name      = "trueup"
  namespace = kubernetes_namespace_v1.trueup.metadata[0].name

  repository = local.trueup_chart_from_repo ? var.trueup_chart_repository : null
  chart      = local.trueup_chart_from_repo ? "trueup" : "${path.module}/../helm/trueup"
  version    = local.trueup_chart_from_repo ? var.trueup_chart_version : null

  wait    = true
  timeout = 600

  values = [yamlencode({
    replicaCount = var.trueup_replicas
    image = {
      repository = var.trueup_image_repository
      tag        = var.trueup_image_tag
    }
    apiToken = {
      existingSecret = kubernetes_secret_v1.trueup_api_token.metadata[0].name
    }
    webhooks = {
      existingSecret = try(kubernetes_secret_v1.trueup_webhooks[0].metadata[0].name, "")
    }
    rootApp = {
      enabled              = var.root_app_repo_url != ""
      name                 = "root"
      repoURL              = var.root_app_repo_url
      targetRevision       = var.root_app_revision
      path                 = var.root_app_path
      destinationNamespace = var.trueup_namespace
    }
  })]

  depends_on = [kubernetes_storage_class_v1.gp3]
}
