-- Payers start paying their held registrations through the mock gateway, each a different
-- registration: 201 with the payment (the checkout), never a 5xx.
local n = 0

request = function()
  n = n + 1
  local pair = payment_starts[((n - 1) % #payment_starts) + 1]
  return wrk.format("POST", "/api/v1/payments/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. pair[1],
  }, '{"registration": ' .. pair[2] .. ', "provider": "mock"}')
end
