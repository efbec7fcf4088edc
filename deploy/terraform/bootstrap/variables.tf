variable "region" {
  description = "Region of the state bucket and lock table (the main configuration's backend region)."
  type        = string
  default     = "us-east-1"
}

variable "state_bucket_name" {
  description = "S3 bucket for Terraform state; globally unique. Must match `bucket` in ../versions.tf."
  type        = string
  default     = "trueup-terraform-state"
}

variable "lock_table_name" {
  description = "DynamoDB table for state locks. Must match `dynamodb_table` in ../versions.tf."
  type        = string
  default     = "trueup-terraform-locks"
}

variable "kms_key_arn" {
  description = "KMS key for the bucket's encryption; empty: S3-managed keys (SSE-S3, AES256)."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags on the bucket and the table."
  type        = map(string)
  default = {
    project    = "trueup"
    managed-by = "terraform"
  }
}
