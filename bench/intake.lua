-- SPDX-License-Identifier: ISC
-- wrk script: POST /api/v1/cases, every report different (company, name,
-- phone, description carry a serial), spread over the 47 prefectures and
-- the incident types so that routing runs for each.
-- KK_BENCH_RUN (environment) keeps serials apart between wrk runs.
local run = os.getenv("KK_BENCH_RUN") or "r"
local types = { "ransomware", "malware", "phishing", "bec", "unauthorized_access",
                "defacement", "data_leak", "lost_device", "ddos", "suspicious_email",
                "insider", "unknown" }
local answers = { "yes", "no", "unknown" }
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
      '{"incident_type":"%s","still_happening":"%s","money_involved":"%s",' ..
      '"personal_data":"%s","company":"株式会社ベンチ %s","prefecture":"%02d",' ..
      '"name":"負荷 太郎 %s","phone":"06-%04d-%04d","email":"bench.%s@example.jp",' ..
      '"description":"経理のPCで異常に気づきました (bench %s)","lang":"ja"}',
      types[n % #types + 1], answers[n % 3 + 1], answers[math.floor(n / 3) % 3 + 1],
      answers[math.floor(n / 9) % 3 + 1], id, n % 47 + 1, id,
      math.floor(n / 10000) % 10000, n % 10000, id, id)
   return wrk.format("POST", "/api/v1/cases", headers, body)
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
