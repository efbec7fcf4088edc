-- Overrides the built-in Deployment check only for deployments labelled custom=yes;
-- returning nil leaves the others to the built-in check.
if obj.metadata.labels ~= nil and obj.metadata.labels.custom == "yes" then
  return {status = "Suspended", message = "custom check: parked by the team"}
end
return nil
