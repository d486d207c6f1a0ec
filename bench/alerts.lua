-- SPDX-License-Identifier: ISC
-- wrk script: POST /api/v2/alerts to Alertmanager, one alert a request,
-- every alert with its own labels (bench_id carries a serial), so that each
-- is its own group and is notified at once (group_by: ['...'], group_wait: 0s).
local bench = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrklib.lua")
local types = bench.types

function request()
   local n, id = bench.next()
   local body = string.format(
      '[{"labels":{"alertname":"KakekomiBench","bench_id":"%s","prefecture":"%02d",' ..
      '"incident_type":"%s","severity":"critical"},' ..
      '"annotations":{"summary":"経理のPCで異常に気づきました (bench %s)"}}]',
      id, n % 47 + 1, types[n % #types + 1], id)
   return wrk.format("POST", "/api/v2/alerts", bench.headers, body)
end
