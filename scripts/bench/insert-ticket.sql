-- pgbench script for scripts/bench-create.sh: the baseline. One plain
-- single-row INSERT (autocommit) of the ticket row the API writes, into the
-- same tickets table (same indexes, foreign keys, generated columns), with
-- a random existing complainant.
--   pgbench -n -M prepared -f insert-ticket.sql -D cidmin=.. -D cidmax=.. -D uid=.. -c N -T S
\set cid random(:cidmin, :cidmax)
INSERT INTO tickets (id, number, channel, category, status, priority, queue, complainant_id, subject,
                     description, call_ref, documents, warnings, created_by, created_at, updated_at)
SELECT n, 'PB-' || to_char(now() AT TIME ZONE 'Asia/Jakarta', 'YYMMDD') || '-' || lpad(n::text, 6, '0'),
       'callcenter', 'certificate_missing', 'new', 'normal', '', :cid, '',
       'Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi. Mohon dibantu dicek.',
       'CC-PGBENCH', '{"ktp":"missing","selfie":"missing","vaccine_card":"missing"}', '[]', :uid, now(), now()
FROM (SELECT nextval('tickets_id_seq') AS n) AS s;
