-- SPDX-License-Identifier: ISC
-- wrk script: POST /api/v2/alerts to Alertmanager, one alert a request,
-- every alert with its own labels (bench_id carries a serial), so that each
-- is its own group and is notified at once (group_by: ['...'], group_wait: 0s).
-- KK_BENCH_RUN (environment) keeps serials apart between wrk runs.
local run = os.getenv("KK_BENCH_RUN") or "r"
local types = { "ransomware", "malware", "phishing", "bec", "unauthorized_access",
                "defacement", "data_leak", "lost_device", "ddos", "suspicious_email",
                "insider", "unknown" }
local headers = { ["Content-Type"] = "application/json" }
local serial = 0
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

function request()
   serial = serial + 1
   local n = serial
   local id = string.format("%s-%d-%d", run, tid or 0, n)
   local body = string.format(
      '[{"labels":{"alertname":"KakekomiBench","bench_id":"%s","prefecture":"%02d",' ..
      '"incident_type":"%s","severity":"critical"},' ..
      '"annotations":{"summary":"経理のPCで異常に気づきました (bench %s)"}}]',
      id, n % 47 + 1, types[n % #types + 1], id)
   return wrk.format("POST", "/api/v2/alerts", headers, body)
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
