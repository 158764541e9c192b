-- wrk: POST the signed WhatsApp webhook body of scripts/bench-whatsapp.sh.
local f = assert(io.open(os.getenv("WA_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = os.getenv("WA_SIGNATURE")
