-- wrk script for bench/run load: requests the paths given after "--" in turn (each thread starting
-- one further along), and prints how many answers had each status when the run is done.
local threads = {}
local codes = {200, 301, 302, 304, 400, 403, 404, 429, 500, 502, 503, 504}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    paths = args  -- args[0] is the URL, and the paths are args[1] onwards
    counter = id
    counts = {}
end

function request()
    counter = counter + 1
    return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        local counted = thread:get("counts")
        for _, code in ipairs(codes) do total[code] = (total[code] or 0) + (counted[code] or 0) end
    end
    io.write("Answers by status:")
    for _, code in ipairs(codes) do
        if total[code] > 0 then io.write(string.format(" %d: %d", code, total[code])) end
    end
    io.write("\n")
end
