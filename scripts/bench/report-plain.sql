-- The weekly report computed straight from the tickets with plain GROUP BYs,
-- no rollups: the baseline that scripts/bench-report.sh times against the
-- report read from the rollups, and the reference pkg/store's tests hold the
-- rollups to (TestRollupMatchesPlainGroupBy). $1 and $2 are the week's bounds:
-- its Monday 00:00 WIB and the next Monday 00:00 WIB.
--
-- One row per number: metric, and the day (WIB date), channel or category it
-- is broken down by (NULL when it is not). The definitions are the rollup's
-- (pkg/store/reports.go); the SLA verdicts are pkg/sla's (sla.Compliance,
-- spelled out here), sla_total counting the tickets met or missed.
SELECT 'created' AS metric, to_char((created_at AT TIME ZONE 'Asia/Jakarta')::date, 'YYYY-MM-DD') AS day,
       channel, NULL::text AS category, count(*)::float8 AS value
FROM tickets WHERE created_at >= $1 AND created_at < $2
GROUP BY 2, 3
UNION ALL
SELECT 'resolved', to_char((resolved_at AT TIME ZONE 'Asia/Jakarta')::date, 'YYYY-MM-DD'), channel, NULL, count(*)
FROM tickets WHERE resolved_at >= $1 AND resolved_at < $2
GROUP BY 2, 3
UNION ALL
SELECT 'created', NULL, NULL, category, count(*)
FROM tickets WHERE created_at >= $1 AND created_at < $2
GROUP BY 4
UNION ALL
-- Created before the week's end and not finished (resolved, or closed
-- without a resolution) by it.
SELECT 'backlog_end', NULL, NULL, NULL, count(*)
FROM tickets WHERE created_at < $2 AND (finished_at IS NULL OR finished_at >= $2)
UNION ALL
SELECT m.metric, NULL, NULL, NULL, m.value
FROM (
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_responded_at - t.created_at)::float8)
           FILTER (WHERE t.first_responded_at IS NOT NULL) AS median,
         count(*) FILTER (WHERE t.resolved_at IS NOT NULL AND NOT s.missed) AS met,
         count(*) FILTER (WHERE t.resolved_at IS NOT NULL OR s.missed) AS total
  FROM tickets t,
  LATERAL (SELECT t.sla_breached
                  OR COALESCE(COALESCE(t.first_responded_at, t.resolved_at) > t.first_response_due, false)
                  OR COALESCE(t.resolved_at > t.resolution_due, false) AS missed) AS s
  WHERE t.created_at >= $1 AND t.created_at < $2
) AS w,
LATERAL (VALUES ('first_response_median_seconds', w.median), ('sla_met', w.met::float8),
                ('sla_total', w.total::float8)) AS m (metric, value);
