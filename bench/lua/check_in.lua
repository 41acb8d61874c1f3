-- POST each ticket code once, in turn, as the event's organizer.
local n = 0

request = function()
  n = n + 1
  local code = codes[((n - 1) % #codes) + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. organizer_token,
  }, '{"code": "' .. code .. '"}')
end
