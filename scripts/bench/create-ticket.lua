-- wrk script: POST /api/v1/tickets (call-center entry), a different valid
-- body on every request, for scripts/bench-create.sh. It only sends: the
-- bodies come from the synthetic-data generator, one JSON a line.
--
--   scripts/bench/gen calls -run R -pool P -n N >calls.jsonl
--   wrk -t2 -c64 -d30s -s scripts/bench/create-ticket.lua http://127.0.0.1:18088 -- TOKEN calls.jsonl 2
--
-- TOKEN    bearer token of an agent
-- FILE     the bodies
-- THREADS  wrk's -t: thread t of T sends lines t+1, t+1+T, ... of FILE; a
--          thread that has sent all of its lines starts them over, and done()
--          counts those repeats (their new callers come back as returning ones)
--
-- done() prints one "BENCH ..." line that bench-create.sh parses.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local bodies, auth, n -- tid is a global, set by setup(); repeats too, read by done()

function init(args)
  local token, file, nthreads = args[1], args[2], tonumber(args[3] or "")
  if not (token and file and nthreads) then error("usage: -- TOKEN FILE THREADS") end
  auth = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  bodies, n, repeats = {}, 0, 0
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then bodies[#bodies + 1] = line end
    i = i + 1
  end
  if #bodies == 0 then error("no bodies for thread " .. tid .. " in " .. file) end
end

function request()
  n = n + 1
  if n > #bodies then repeats = repeats + 1 end
  return wrk.format("POST", "/api/v1/tickets", auth, bodies[(n - 1) % #bodies + 1])
end

function done(summary, latency, requests)
  local e, again = summary.errors, 0
  for _, t in ipairs(threads) do again = again + (t:get("repeats") or 0) end
  io.write(string.format(
    "BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f " ..
    "non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d repeats=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, again))
end
