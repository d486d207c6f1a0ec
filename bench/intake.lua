-- SPDX-License-Identifier: ISC
-- wrk script: POST /api/v1/cases, every report different (company, name,
-- phone, description carry a serial), spread over the 47 prefectures and
-- the incident types so that routing runs for each.
local bench = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrklib.lua")
local types = bench.types
local answers = { "yes", "no", "unknown" }

function request()
   local n, id = bench.next()
   local body = string.format(
      '{"incident_type":"%s","still_happening":"%s","money_involved":"%s",' ..
      '"personal_data":"%s","company":"株式会社ベンチ %s","prefecture":"%02d",' ..
      '"name":"負荷 太郎 %s","phone":"06-%04d-%04d","email":"bench.%s@example.jp",' ..
      '"description":"経理のPCで異常に気づきました (bench %s)","lang":"ja"}',
      types[n % #types + 1], answers[n % 3 + 1], answers[math.floor(n / 3) % 3 + 1],
      answers[math.floor(n / 9) % 3 + 1], id, n % 47 + 1, id,
      math.floor(n / 10000) % 10000, n % 10000, id, id)
   return wrk.format("POST", "/api/v1/cases", bench.headers, body)
end
