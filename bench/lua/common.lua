-- Shared by every endpoint's script: count responses by status and print them at the end as
-- one line the runner parses ("STATUSES {...}"). The runner prepends the data (tokens, codes).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

statuses = {}

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      totals[code] = (totals[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(totals) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end

