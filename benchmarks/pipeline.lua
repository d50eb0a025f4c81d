-- wrk script: HTTP/1.1 pipelining, 16 GET /plaintext requests per write.
--   wrk -t1 -c256 -d10s --latency -s benchmarks/pipeline.lua http://127.0.0.1:PORT/plaintext
-- The depth can be changed with a script argument: ... -s pipeline.lua URL -- 8
-- wrk counts every response, so requests/s counts pipelined requests one by one; its latency is
-- measured per write (per batch of 16).

init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format("GET", "/plaintext")
  end
  req = table.concat(r)
end

request = function()
  return req
end
