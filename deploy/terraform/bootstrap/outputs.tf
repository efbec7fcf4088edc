output "state_bucket" {
  description = "Name of the state bucket (the backend's `bucket`)."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "Name of the lock table (the backend's `dynamodb_table`)."
  value       = aws_dynamodb_table.locks.name
}

output "backend_config" {
  description = "The backend settings for `terraform init` in the main configuration."
  value       = "bucket=${aws_s3_bucket.state.bucket} dynamodb_table=${aws_dynamodb_table.locks.name} region=${var.region} encrypt=true"
}
