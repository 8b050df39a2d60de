-- wrk script for bench_mock.py: alternates chat-api's two kinds of valid request, so every request
-- is checked against the spec, and prints the figures as one JSON line.
local body = os.getenv("BENCH_BODY")
local turn = 0

request = function()
  turn = turn + 1
  if turn % 2 == 1 then
    return wrk.format("GET", "/messages/77185196-664a-43ec-b14a-fe97036c697f/status", {["apikey"] = "bench"})
  end
  return wrk.format("POST", "/messages", {["apikey"] = "bench", ["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "max_us": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.status + e.timeout))
end
