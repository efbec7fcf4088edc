local hs = {}
local count = 0
count = count + obj.status.replicas.ready
hs.status = "Healthy"
return hs
