-- scripts/bench-report.sh: the complainants the synthetic tickets belong to.
--   psql -v complainants=300000 -f report-complainants.sql
-- Only what the report path never reads is simplified: no identities rows.
INSERT INTO complainants (id, name, nik, phone, created_at, updated_at)
SELECT g, 'Pelapor ' || g, '3201' || lpad(g::text, 12, '0'), '+62812' || lpad(g::text, 8, '0'),
       timestamptz '2021-01-01 00:00+07', timestamptz '2021-01-01 00:00+07'
FROM generate_series(1, :complainants) AS g;
SELECT setval('complainants_id_seq', :complainants);
