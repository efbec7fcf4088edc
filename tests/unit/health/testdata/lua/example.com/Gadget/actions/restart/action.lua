-- not a health check: actions live deeper and must be ignored
obj.spec.restartedAt = "now"
return obj
