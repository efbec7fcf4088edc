local hs = {status = "Healthy"}
while true do
  hs.message = "still spinning"
end
return hs
