local secret = importstr '../../../../../../../../../../etc/hostname';
{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { stolen: secret } }
