-- wrk script of the benchmarks (bench_http.py): rotates over the requests listed in BENCH_REQUEST_FILE, one per
-- line as METHOD, PATH, BODY and then "Name: value" headers, tab-separated; stops each thread after
-- BENCH_MAX_REQUESTS_PER_THREAD answers; prints one machine-readable summary line (latencies in
-- microseconds) with the count of answers that were not 200.
local limit = tonumber(os.getenv("BENCH_MAX_REQUESTS_PER_THREAD") or "0")
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for line in io.lines(os.getenv("BENCH_REQUEST_FILE")) do
    local fields = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
    end
    local headers = {}
    for position = 4, #fields do
      local name, value = fields[position]:match("^([^:]+): (.*)$")
      if name then
        headers[name] = value
      end
    end
    local body = fields[3] ~= "" and fields[3] or nil
    table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
  end
  -- the threads start at different places of the list, so no two send the same request at once
  index = (id * math.floor(#requests / 2)) % #requests
  answered = 0
  not_ok = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do
    not_ok_total = not_ok_total + thread:get("not_ok")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"socket_errors": %d, "not_200": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, errors.connect + errors.read + errors.write + errors.timeout, not_ok_total))
end
