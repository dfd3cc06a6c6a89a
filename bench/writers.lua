-- wrk script: POST replies to the forum API, round-robin over threads and prepared bodies.
--   wrk -s bench/writers.lua URL -- TOKEN THREAD_IDS(comma-separated) BODIES_FILE(one JSON string a line)
local token
local threads = {}
local bodies = {}
local counter = 0
local offsets = 0

function setup(thread)
  -- Each wrk thread starts at a different place, so threads do not post in lockstep.
  thread:set("offset", offsets)
  offsets = offsets + 5
end

function init(args)
  token = args[1]
  for id in string.gmatch(args[2], "%d+") do
    threads[#threads + 1] = id
  end
  for line in io.lines(args[3]) do
    bodies[#bodies + 1] = line
  end
  counter = offset or 0
end

function request()
  counter = counter + 1
  local thread = threads[(counter % #threads) + 1]
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format(
    "POST",
    "/api/v1/threads/" .. thread .. "/posts",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
    '{"body": ' .. body .. '}'
  )
end
