hs = {}
hs.status = "Healthy"
if obj.status.ready = true then
  hs.message = "never"
end
return hs
