{
  apiVersion: 'v1',
  kind: 'List',
  items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-list' } }],
}
