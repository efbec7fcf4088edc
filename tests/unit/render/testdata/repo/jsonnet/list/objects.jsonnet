[
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-' + i } }
  for i in ['a', 'b', 'c']
]
