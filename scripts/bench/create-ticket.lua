-- wrk script: POST /api/v1/tickets (call-center entry) with a valid body
-- that changes on every request, for scripts/bench-create.sh.
--
--   wrk -t2 -c64 -d30s -s scripts/bench/create-ticket.lua http://127.0.0.1:18088 -- TOKEN RUN POOL
--
-- TOKEN  bearer token of an agent
-- RUN    1..9, keeps the NIKs of new complainants apart between runs
-- POOL   complainants 0..POOL-1 already exist (bench-create.sh inserts them)
--
-- Every other request is from a returning complainant (a random one of the
-- pool); the others are from a new person with a NIK never seen before.
-- Person k has NIK 320101 DD MM YY SSSS with SSSS = k % 9999 + 1 and
-- DD, MM, YY counting on from there (the same rule as the SQL in
-- bench-create.sh and scripts/bench/targets.py), and phone 0812 + k (8 digits).
--
-- done() prints one "BENCH ..." line that bench-create.sh parses.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local categories = {
  "certificate_missing", "certificate_data_error", "personal_data_change",
  "nik_conflict", "vaccination_status", "app_issue", "other",
}

local descriptions = {
  "Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi. Mohon dibantu dicek.",
  "Tanggal vaksin di sertifikat tertulis 12 Oktober, padahal saya divaksin 21 Oktober di Puskesmas Cibinong.",
  "Nama di sertifikat salah ketik, seharusnya sesuai KTP. Nomor HP juga mau diganti karena yang lama hilang.",
  "Saat daftar muncul pesan NIK sudah terdaftar, padahal belum pernah vaksin. Sepertinya NIK saya dipakai orang lain.",
  "Menanyakan status vaksinasi ibu saya, sudah dosis ketiga tetapi di aplikasi masih tertulis dosis kedua.",
  "Kode OTP tidak masuk ke nomor HP saya, sudah dicoba berkali-kali sejak kemarin sore.",
  "Penelepon menanyakan cara mencetak sertifikat untuk keperluan perjalanan ke luar negeri bulan depan.",
}

local names = {
  "Siti Aminah", "Agus Salim", "Rina Wulandari", "Budi Santoso", "Dewi Lestari",
  "Ahmad Fauzi", "Nur Hidayah", "Eko Prasetyo", "Sri Rahayu", "Joko Susilo",
}

local token, run, pool, n, auth -- tid is a global, set by setup()
local floor = math.floor

local function nik(k)
  local serial = k % 9999 + 1
  local q = floor(k / 9999)
  local day = q % 28 + 1
  q = floor(q / 28)
  local month = q % 12 + 1
  q = floor(q / 12)
  return string.format("320101%02d%02d%02d%04d", day, month, q % 100, serial)
end

function init(args)
  token = args[1] or error("usage: -- TOKEN RUN POOL")
  run = tonumber(args[2] or "1")
  pool = tonumber(args[3] or "20000")
  n = 0
  math.randomseed(run * 1000 + tid)
  auth = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  n = n + 1
  local k
  if n % 2 == 0 and pool > 0 then
    k = math.random(0, pool - 1)       -- a returning complainant
  else
    k = run * 10000000 + tid * 1000000 + n -- a new one
  end
  local c = n % #categories + 1
  local body = string.format(
    '{"channel":"callcenter","category":"%s","description":"%s","call_ref":"CC-%d-%d-%d",' ..
    '"complainant":{"name":"%s","nik":"%s","phone":"0812%08d"}}',
    categories[c], descriptions[c], run, tid, n, names[k % #names + 1], nik(k), k % 100000000)
  return wrk.format("POST", "/api/v1/tickets", auth, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f " ..
    "non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
