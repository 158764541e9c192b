#!/usr/bin/env python3
"""Vegeta targets (JSON lines) for POST /api/v1/tickets, for scripts/bench-create.sh.

    targets.py URL TOKEN RUN POOL COUNT > targets.jsonl

The bodies follow the same rules as scripts/bench/create-ticket.lua: every
other request comes from a returning complainant (one of 0..POOL-1, which
bench-create.sh inserts beforehand), the others from a new person with a NIK
never used before (RUN keeps runs apart).
"""
import base64
import json
import random
import sys

CATEGORIES = ["certificate_missing", "certificate_data_error", "personal_data_change",
              "nik_conflict", "vaccination_status", "app_issue", "other"]
DESCRIPTIONS = [
    "Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi. Mohon dibantu dicek.",
    "Tanggal vaksin di sertifikat tertulis 12 Oktober, padahal saya divaksin 21 Oktober di Puskesmas Cibinong.",
    "Nama di sertifikat salah ketik, seharusnya sesuai KTP. Nomor HP juga mau diganti karena yang lama hilang.",
    "Saat daftar muncul pesan NIK sudah terdaftar, padahal belum pernah vaksin. Sepertinya NIK saya dipakai orang lain.",
    "Menanyakan status vaksinasi ibu saya, sudah dosis ketiga tetapi di aplikasi masih tertulis dosis kedua.",
    "Kode OTP tidak masuk ke nomor HP saya, sudah dicoba berkali-kali sejak kemarin sore.",
    "Penelepon menanyakan cara mencetak sertifikat untuk keperluan perjalanan ke luar negeri bulan depan.",
]
NAMES = ["Siti Aminah", "Agus Salim", "Rina Wulandari", "Budi Santoso", "Dewi Lestari",
         "Ahmad Fauzi", "Nur Hidayah", "Eko Prasetyo", "Sri Rahayu", "Joko Susilo"]


def nik(k: int) -> str:
    serial = k % 9999 + 1
    q = k // 9999
    day = q % 28 + 1
    q //= 28
    month = q % 12 + 1
    q //= 12
    return "320101%02d%02d%02d%04d" % (day, month, q % 100, serial)


def main() -> None:
    url, token, run, pool, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rnd = random.Random(run)
    header = {"Content-Type": ["application/json"], "Authorization": ["Bearer " + token]}
    out = sys.stdout
    for n in range(1, count + 1):
        k = rnd.randrange(pool) if n % 2 == 0 and pool > 0 else run * 10_000_000 + n
        c = n % len(CATEGORIES)
        body = {"channel": "callcenter", "category": CATEGORIES[c], "description": DESCRIPTIONS[c],
                "call_ref": "CC-%d-v-%d" % (run, n),
                "complainant": {"name": NAMES[k % len(NAMES)], "nik": nik(k), "phone": "0812%08d" % (k % 100_000_000)}}
        raw = json.dumps(body, separators=(",", ":")).encode()
        out.write(json.dumps({"method": "POST", "url": url, "header": header,
                              "body": base64.b64encode(raw).decode()}) + "\n")


if __name__ == "__main__":
    main()
