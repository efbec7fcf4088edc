{
  standard(app):: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/managed-by': 'trueup' },
}
