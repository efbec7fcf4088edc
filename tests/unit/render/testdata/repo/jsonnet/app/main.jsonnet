local labels = import 'labels.libsonnet';
local ports = import 'ports.libsonnet';

function(replicas, tier='backend') {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: std.extVar('name'),
    labels: labels.standard(std.extVar('name')) + { tier: tier },
  },
  spec: {
    replicas: replicas,
    selector: { matchLabels: { app: std.extVar('name') } },
    template: {
      metadata: { labels: { app: std.extVar('name') } },
      spec: {
        containers: [{
          name: 'app',
          image: 'example/app:' + std.extVar('version'),
          ports: [{ containerPort: ports.http }],
          env: [{ name: 'DEBUG', value: std.toString(std.extVar('debug')) }],
        }],
      },
    },
  },
}
