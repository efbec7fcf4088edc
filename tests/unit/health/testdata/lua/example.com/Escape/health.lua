-- tries to run a command on the host: the sandbox has no os.execute
os.execute("touch " .. obj.spec.marker)
return {status = "Healthy", message = "escaped"}
