-- wrk script for every scenario of bench/run.
--   BENCH_METHOD        GET (default) or POST
--   BENCH_BODY          the request body (POST)
--   BENCH_AUTHORIZATION the Authorization header, when set
-- At the end it prints one line, "BENCH {json}", with the counts and the
-- latency percentiles in microseconds, for the harness to read.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local authorization = os.getenv("BENCH_AUTHORIZATION")

wrk.method = method
if body then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end
if authorization then
   wrk.headers["Authorization"] = authorization
end

function done(summary, latency, requests)
   local e = summary.errors
   local fields = {
      string.format('"requests":%d', summary.requests),
      string.format('"duration_us":%d', summary.duration),
      string.format('"bytes":%d', summary.bytes),
      string.format('"errors_connect":%d', e.connect),
      string.format('"errors_read":%d', e.read),
      string.format('"errors_write":%d', e.write),
      string.format('"errors_status":%d', e.status),
      string.format('"errors_timeout":%d', e.timeout),
      string.format('"latency_mean_us":%.1f', latency.mean),
      string.format('"latency_max_us":%d', latency.max),
   }
   for _, p in ipairs({50, 90, 99, 99.9}) do
      fields[#fields + 1] = string.format('"p%s_us":%d', tostring(p), latency:percentile(p))
   end
   io.write("BENCH {" .. table.concat(fields, ",") .. "}\n")
end
