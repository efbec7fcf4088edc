if obj.data ~= nil and obj.data.ready == "true" then
  return {status = "Healthy", message = "config is marked ready"}
end
return {status = "Progressing", message = "config is not marked ready yet"}
