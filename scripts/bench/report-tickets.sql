-- scripts/bench-report.sh: synthetic tickets with ids lo..hi of total, spread
-- evenly over `days` days from `start` (a Monday, WIB) in id order, as real
-- tickets are inserted; several of these run at once on disjoint id ranges.
--   psql -v lo=1 -v hi=5000000 -v total=10000000 -v days=728 \
--        -v start="'2021-07-05 00:00+07'" -v complainants=300000 -f report-tickets.sql
--
-- Distributions, after the help desk's own figures (134,000 mails and 80,000
-- calls a week): channel email 55%, callcenter 33%, whatsapp 10%, sms 2%;
-- category certificate_missing 45%, personal_data_change 20%,
-- certificate_data_error 15%, vaccination_status 7%, app_issue 6%,
-- nik_conflict 5%, other 2%; priority normal 80%, high 12%, low 5%, urgent 3%.
-- Fate: 3% closed without a resolution (duplicates, spam) within two days,
-- 2% stuck open, the rest resolved after an exponential delay (mean three
-- days); a closing or resolution past the data's end leaves the ticket
-- open; resolved tickets are closed a week later. First response: calls
-- on the call (0-5 min); otherwise 92% answered after an exponential delay
-- (mean six hours), due 24 h after creation; breached when late, plus 2%
-- marked breached anyway.
--
-- Foreign keys and triggers are off for this session: the rows are made
-- consistent here (finished_at as tickets_track_finished would set it), and
-- checking ten million of them one by one is what a real import would avoid too.
SET session_replication_role = replica;
INSERT INTO tickets (id, number, channel, category, status, priority, complainant_id, description,
                     first_response_due, first_responded_at, sla_breached, created_at, updated_at, resolved_at,
                     finished_at)
SELECT id, 'PL-' || to_char(created_at AT TIME ZONE 'Asia/Jakarta', 'YYMMDD') || '-' || lpad(id::text, 8, '0'),
       channel, category,
       CASE WHEN resolved_at IS NOT NULL THEN
                CASE WHEN resolved_at < data_end - interval '7 days' THEN 'closed' ELSE 'resolved' END
            WHEN closed_at IS NOT NULL THEN 'closed'
            ELSE (ARRAY['new', 'needs_info', 'open', 'pending'])[1 + floor(r_status * 4)::int] END,
       CASE WHEN r_pri < 0.80 THEN 'normal' WHEN r_pri < 0.92 THEN 'high' WHEN r_pri < 0.97 THEN 'low' ELSE 'urgent' END,
       1 + floor(r_cust * :complainants)::bigint,
       (ARRAY['Sertifikat vaksin dosis kedua belum muncul di aplikasi PeduliLindungi, mohon dibantu.',
              'Nama di sertifikat tidak sesuai KTP, mohon diperbaiki.',
              'NIK saya sudah dipakai orang lain, tidak bisa daftar vaksin.',
              'Tanggal vaksin di sertifikat salah, seharusnya bulan lalu.',
              'Tidak bisa login, kode OTP tidak masuk ke nomor HP saya.'])[1 + floor(r_text * 5)::int],
       created_at + interval '24 hours', responded_at,
       coalesce(responded_at > created_at + interval '24 hours', false) OR r_breach < 0.02,
       created_at, coalesce(resolved_at, closed_at, created_at), resolved_at, coalesce(resolved_at, closed_at)
FROM (
  SELECT *, CASE WHEN r_fate >= 0.05 AND resolve_at <= data_end THEN resolve_at END AS resolved_at,
         CASE WHEN r_fate < 0.03 AND close_at <= data_end THEN close_at END AS closed_at,
         CASE WHEN respond_at <= data_end THEN respond_at END AS responded_at
  FROM (
    SELECT *, created_at - ln(1 - r_delay) * interval '3 days' AS resolve_at,
           created_at + r_delay * interval '2 days' AS close_at,
           CASE WHEN channel = 'callcenter' THEN created_at + r_resp * interval '5 minutes'
                WHEN r_resp < 0.92 THEN created_at - ln(1 - r_wait) * interval '6 hours' END AS respond_at
    FROM (
      SELECT id, data_end, r_fate, r_delay, r_resp, r_wait, r_status, r_pri, r_cust, r_text, r_breach,
             :'start'::timestamptz + ((id - 1 + r_time) / :total) * (data_end - :'start'::timestamptz) AS created_at,
             CASE WHEN r_ch < 0.55 THEN 'email' WHEN r_ch < 0.88 THEN 'callcenter'
                  WHEN r_ch < 0.98 THEN 'whatsapp' ELSE 'sms' END AS channel,
             CASE WHEN r_cat < 0.45 THEN 'certificate_missing' WHEN r_cat < 0.65 THEN 'personal_data_change'
                  WHEN r_cat < 0.80 THEN 'certificate_data_error' WHEN r_cat < 0.87 THEN 'vaccination_status'
                  WHEN r_cat < 0.93 THEN 'app_issue' WHEN r_cat < 0.98 THEN 'nik_conflict' ELSE 'other' END AS category
      FROM (
        SELECT g AS id, :'start'::timestamptz + :days * interval '1 day' AS data_end,
               random() AS r_time, random() AS r_ch, random() AS r_cat, random() AS r_fate, random() AS r_delay,
               random() AS r_resp, random() AS r_wait, random() AS r_status, random() AS r_pri, random() AS r_cust,
               random() AS r_text, random() AS r_breach
        FROM generate_series(:lo, :hi) AS g
      ) AS draws
    ) AS base
  ) AS timed
) AS fated;
