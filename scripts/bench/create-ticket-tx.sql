-- pgbench script for scripts/bench-create.sh: the API's transaction, as the
-- Ingester runs it for POST /api/v1/tickets (same statements, same order,
-- same tables), but from pgbench with -M prepared: statements prepared once
-- per connection, no HTTP, no Go. Half the callers are new (complainant and
-- identities inserted), half return (one of the pool bench-create.sh
-- inserted). It shows what the database alone can do with this design.
--   pgbench -n -M prepared -f create-ticket-tx.sql -D pool=.. -D uid=.. -D first_new=.. -D new_callers=.. -c N -T S
-- The callers come from the synthetic-data generator, loaded by
-- bench-create.sh into bench_people: returning ones are k 0..pool-1, new
-- ones k first_new.. taken one after the other (sequence bench_tx_caller;
-- past new_callers they start over, and come back as returning ones). The
-- look-up of the caller is one primary-key read before the transaction.
-- pgbench reads :name as a variable even inside quotes, hence 'ticket:' || 'route'.
\set new random(0, 1)
\if :new
SELECT nik AS p_nik, phone AS p_phone FROM bench_people
  WHERE k = (SELECT :first_new::bigint + (nextval('bench_tx_caller') - 1) % :new_callers::bigint) \gset
\else
\set k random(0, :pool - 1)
SELECT nik AS p_nik, phone AS p_phone FROM bench_people WHERE k = :k \gset
\endif
BEGIN;
SELECT * FROM complainants WHERE id IN (SELECT complainant_id FROM complainant_identities
  WHERE (kind = 'nik' AND value = :p_nik) OR (kind = 'phone' AND value = :p_phone))
  ORDER BY updated_at DESC, id DESC LIMIT 50 \aset c_
\if :new
INSERT INTO complainants (name, nik, phone, email, whatsapp_id, birth_place, birth_date, nik_warnings, created_at, updated_at)
  VALUES ('Pelapor Baru', :p_nik, :p_phone, '', '', '', NULL, '[]', now(), now()) RETURNING id AS c_id \gset
INSERT INTO complainant_identities (kind, value, complainant_id)
  VALUES ('nik', :p_nik, :c_id), ('phone', :p_phone, :c_id)
  ON CONFLICT (kind, value, complainant_id) DO NOTHING;
\endif
SELECT t.id, t.number, t.channel, t.category, t.status, t.priority, t.queue, t.assignee_id,
  t.complainant_id, t.subject, t.description, t.call_ref, t.documents, t.warnings, t.first_response_due,
  t.resolution_due, t.first_responded_at, t.sla_breached, t.created_by, t.created_at, t.updated_at, t.resolved_at,
  c.id AS c_id, c.name AS c_name, c.nik AS c_nik, c.phone AS c_phone, c.email AS c_email,
  c.whatsapp_id AS c_whatsapp_id, c.birth_place AS c_birth_place, c.birth_date AS c_birth_date,
  c.nik_warnings AS c_nik_warnings, c.created_at AS c_created_at, c.updated_at AS c_updated_at
  FROM tickets t JOIN complainants c ON c.id = t.complainant_id
  WHERE t.status NOT IN ('resolved', 'closed') AND t.complainant_id = :c_id ORDER BY t.id DESC LIMIT 20;
SELECT nextval('tickets_id_seq') AS tid \gset
INSERT INTO tickets (number, channel, category, status, priority, queue, assignee_id, complainant_id, subject,
                     description, call_ref, documents, warnings, first_response_due, resolution_due,
                     first_responded_at, sla_breached, created_by, created_at, updated_at, resolved_at, id)
  VALUES ('PT-' || :tid::bigint, 'callcenter', 'certificate_missing', 'new', 'normal', '', NULL, :c_id, '',
          'Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi. Mohon dibantu dicek.',
          'CC-PGBENCH', '{"ktp":"missing","selfie":"missing","vaccine_card":"missing"}', '[]', NULL, NULL,
          NULL, false, :uid, now(), now(), NULL, :tid) RETURNING id;
INSERT INTO messages (ticket_id, direction, channel, source_id, source_hash, author_id, subject, body, status, created_at)
  VALUES (:tid, 'inbound', 'callcenter', 'pgbench:' || :tid::bigint, '', :uid, '',
          'Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi. Mohon dibantu dicek.',
          '', now()) RETURNING id;
INSERT INTO ticket_events (ticket_id, actor_id, kind, data, at)
  VALUES (:tid, :uid, 'created', '{"channel":"callcenter","status":"new","category":"certificate_missing"}', now()) RETURNING id;
INSERT INTO outbox (task_type, payload) VALUES ('ticket:' || 'route', ('{"ticket_id":' || :tid::bigint || '}')::jsonb);
COMMIT;
