-- Gadget health by status.state; parts is a JSON array (a Lua sequence from 1).
local hs = {}
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the gadget controller"
  return hs
end
if obj.status.state == "ok" then
  hs.status = "Healthy"
  hs.message = "gadget is ok with " .. #obj.status.parts .. " parts, first " .. obj.status.parts[1].name
elseif obj.status.state == "broken" then
  hs.status = "Degraded"
  hs.message = obj.status.reason
else
  hs.status = "Progressing"
  hs.message = "gadget is " .. tostring(obj.status.state)
end
return hs
