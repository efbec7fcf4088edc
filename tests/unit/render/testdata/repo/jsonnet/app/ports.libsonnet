{ http: 8080 }
