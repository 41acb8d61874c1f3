-- Many different users book one seat each of the same free event at once: the first
-- `capacity` get 201, the rest 409 sold_out. Never a 5xx, never more seats than the capacity.
local n = 0

request = function()
  n = n + 1
  local token = tokens[((n - 1) % #tokens) + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, '{"event": ' .. event_id .. '}')
end
