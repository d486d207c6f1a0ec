-- SPDX-License-Identifier: ISC
-- What the wrk scripts share: the request serials (KK_BENCH_RUN keeps them
-- apart between wrk runs), the incident types, each thread's number and
-- the WRK line that done() prints for run.py. A script loads it with
-- dofile from its own folder; it defines setup() and done().
local M = {}

M.run = os.getenv("KK_BENCH_RUN") or "r"
M.types = { "ransomware", "malware", "phishing", "bec", "unauthorized_access",
            "defacement", "data_leak", "lost_device", "ddos", "suspicious_email",
            "insider", "unknown" }
M.headers = { ["Content-Type"] = "application/json" }

local serial = 0
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

-- The next serial of this thread and the id made from it.
function M.next()
   serial = serial + 1
   return serial, string.format("%s-%d-%d", M.run, tid or 0, serial)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "WRK requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, summary.bytes, latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
      e.status, e.timeout))
end

return M
