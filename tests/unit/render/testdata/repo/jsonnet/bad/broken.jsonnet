{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: error 'name is required: pass the extVar' },
}
