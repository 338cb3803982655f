-- wrk script of `make bench`: sends the requests listed in a file, one after the other, round and round.
-- Usage: wrk -t T ... -s bench/requests.lua URL -- FILE T
-- Each line of FILE is METHOD<tab>PATH<tab>TOKEN<tab>BODY (TOKEN and BODY may be empty). Thread k of T
-- takes lines k, k+T, k+2T, ... so no two threads send the same line. done() prints how many lines were
-- used: a file of one-off requests (joins) that ran out shows as "wrapped 1".

local threads = {}
local count = 0

function setup(thread)
   thread:set("id", count)
   count = count + 1
   table.insert(threads, thread)
end

local items = {}
used = 0
available = 0

function init(args)
   local file, total = args[1], tonumber(args[2])
   local index = 0
   for line in io.lines(file) do
      if index % total == id then
         local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
         local headers = {["Content-Type"] = "application/json"}
         if token ~= "" then
            headers["Authorization"] = "Bearer " .. token
         end
         if body == "" then
            body = nil
         end
         table.insert(items, wrk.format(method, path, headers, body))
      end
      index = index + 1
   end
   available = #items
   if available == 0 then
      error("no request lines for thread " .. id)
   end
end

function request()
   used = used + 1
   return items[(used - 1) % available + 1]
end

function done(summary, latency, requests)
   local sent, lines, wrapped = 0, 0, 0
   for _, thread in ipairs(threads) do
      local thread_used, thread_available = thread:get("used"), thread:get("available")
      sent = sent + thread_used
      lines = lines + thread_available
      if thread_used > thread_available then
         wrapped = 1
      end
   end
   io.write(string.format("request lines: sent %d of %d, wrapped %d\n", sent, lines, wrapped))
end
