-- wrk script for bench/run.  Configured through the environment:
--   BENCH_KEY     personal API key sent as "Authorization: Bearer KEY"
--   BENCH_METHOD  GET (default) or PATCH
--   BENCH_OUT     file that done() writes its "name value" lines to
-- PATCH requests send {"first_name":"BenchNN"}, cycling through 16 names
-- so that every request changes the stored value.

local key = os.getenv("BENCH_KEY")
local method = os.getenv("BENCH_METHOD") or "GET"
local out = os.getenv("BENCH_OUT")

wrk.method = method
if key ~= nil and key ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. key
end

if method == "PATCH" then
	wrk.headers["Content-Type"] = "application/json"
	local reqs = {}
	local n = 0
	request = function()
		if #reqs == 0 then
			for i = 0, 15 do
				reqs[i + 1] = wrk.format(nil, nil, nil,
				    string.format('{"first_name":"Bench%02d"}', i))
			end
		end
		n = n % #reqs + 1
		return reqs[n]
	end
end

-- wrk counts a reply with status >= 400 in errors.status; the targets
-- never answer 1xx or 3xx, so that is the non-2xx count.
done = function(summary, latency, requests)
	local f = assert(io.open(out, "w"))
	local e = summary.errors
	f:write(string.format("requests %d\n", summary.requests))
	f:write(string.format("duration_us %d\n", summary.duration))
	f:write(string.format("bytes %d\n", summary.bytes))
	f:write(string.format("non2xx %d\n", e.status))
	f:write(string.format("sockerr %d\n",
	    e.connect + e.read + e.write + e.timeout))
	f:write(string.format("p50_us %d\n", latency:percentile(50)))
	f:write(string.format("p99_us %d\n", latency:percentile(99)))
	f:write(string.format("max_us %d\n", latency.max))
	f:close()
end
