-- Bulk data for EXPLAIN ANALYZE of the list and search queries at the size the portal is built
-- for: 500,000 reports (1-3 topics each), 20,000 threads and 1,000,000 posts, one thread with
-- 12,000 posts. Run on an empty, migrated PostgreSQL database:
--     psql "$DATABASE_URL" -v reports=500000 -v posts=1000000 -f tests/benchmarks/large_data.sql
-- Words follow a skewed distribution over a 4,000-word vocabulary: common words are common
-- and most words are rare.
\set ON_ERROR_STOP on
\if :{?reports} \else \set reports 500000 \endif
\if :{?posts} \else \set posts 1000000 \endif
\timing on
SET synchronous_commit = off;

-- A word from its rank: made-up syllable words, and real words at chosen ranks (rank 3 is in
-- most texts, rank 2000 in very few).
CREATE FUNCTION pg_temp.word(n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE n
        WHEN 3 THEN 'payment' WHEN 12 THEN 'customs' WHEN 25 THEN 'gateway'
        WHEN 40 THEN 'delivery' WHEN 60 THEN 'platform' WHEN 90 THEN 'dédouanement'
        WHEN 150 THEN 'envíos' WHEN 300 THEN 'español' WHEN 600 THEN 'localisation'
        WHEN 2000 THEN 'alpaca'
        ELSE (ARRAY['ba','ko','ri','tu','me','sa','lo','ve','ni','da','pe','gu','zo','fi','ha','ju'])[1 + n % 16]
            || (ARRAY['ran','del','mos','tik','pan','ser','bol','nu','ga','wen'])[1 + (n / 16) % 10]
            || (ARRAY['a','o','er','is','um','et','an','ix','el','or','us','ad','en','ot','ir','ul','y','ek','am','it','os','ez','ax','ow','ep'])[1 + (n / 160) % 25]
    END
$$;
-- 20,000 snippets of ten words; texts join a few snippets picked by a hash of the row number,
-- which is much faster than drawing every word and keeps the spread of words.
CREATE TEMP TABLE snippets AS
SELECT i, (SELECT string_agg(pg_temp.word(floor(4000 * power(random(), 3))::int), ' ')
           FROM generate_series(1, 10) WHERE i IS NOT NULL) AS text
FROM generate_series(0, 19999) AS i;
ALTER TABLE snippets ADD PRIMARY KEY (i);
ANALYZE snippets;
CREATE FUNCTION pg_temp.words(seed bigint, how_many int) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg((SELECT s.text FROM snippets s
                       WHERE s.i = (((seed * 7919 + k * 104729) * (k + 31)) % 20000)::int), ' ')
    FROM generate_series(1, how_many) AS k
$$;

INSERT INTO portal_organisation (name, slug, sector, website, created_at, country_id, org_type_id)
SELECT 'Bench organisation ' || n, 'bench-organisation-' || n,
       (ARRAY['agri_food','textiles','crafts','cosmetics','software','retail','logistics','finance'])[1 + n % 8],
       '', now(),
       (SELECT code FROM portal_country ORDER BY code OFFSET n % 150 LIMIT 1),
       (SELECT code FROM portal_organisationtype ORDER BY code OFFSET n % 5 LIMIT 1)
FROM generate_series(1, 2000) AS n;

INSERT INTO portal_user (password, is_superuser, email, full_name, job_title, language,
    membership_status, is_organisation_admin, official_status, is_staff, is_active, date_joined,
    organisation_id)
SELECT '!', false, 'bench' || n || '@bench.example', 'Bench member ' || n, '', 'en', 'active',
       false, 'none', false, true, now(),
       (SELECT min(id) FROM portal_organisation WHERE slug LIKE 'bench-%') + n % 2000
FROM generate_series(0, 2999) AS n;

CREATE TEMP TABLE bench_users AS
SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, organisation_id FROM portal_user WHERE email LIKE 'bench%';
CREATE TEMP TABLE countries AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM portal_country;
CREATE TEMP TABLE topics AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM portal_topic;

INSERT INTO submissions_barrierreport (reference, public_id, title, summary, description,
    organisation_id, reporter_id, market_id, trade_direction, delivery_mode, sector, cost_band,
    steps_taken, visibility, language, status, cosignature_count, created_at, updated_at,
    submitted_at, published_at, status_changed_at)
SELECT 'TB-1990-' || lpad(n::text, 6, '0'), gen_random_uuid(),
       pg_temp.words(n, 1), pg_temp.words(n + 1, 2), pg_temp.words(n + 2, 5),
       u.organisation_id, u.id,
       (SELECT code FROM countries WHERE i = (n::bigint * 7919) % 150),
       'exporting', 'goods', 'retail', 'unknown', '',
       (ARRAY['public','public','public','public','anonymised','anonymised','anonymised','anonymised','anonymised','officials_only'])[1 + n % 10],
       (ARRAY['en','en','fr','es'])[1 + n % 4],
       s.status, floor(40 * power(random(), 4))::int, d.at, d.at, d.at,
       CASE WHEN s.status IN ('published','resolved_in_part','resolved_in_full','archived') THEN d.at END,
       d.at
FROM generate_series(1, :reports) AS n
CROSS JOIN LATERAL (SELECT now() - (random() * interval '730 days') AS at) AS d
CROSS JOIN LATERAL (SELECT (ARRAY['published','published','published','published','published',
    'published','published','published','published','published','published','published',
    'published','published','published','resolved_in_part','resolved_in_full','archived',
    'submitted','rejected'])[1 + (n * 13) % 20] AS status) AS s
JOIN bench_users u ON u.i = n % 3000;

INSERT INTO submissions_barrierreport_topics (barrierreport_id, topic_id)
SELECT r.id, t.code
FROM submissions_barrierreport r
JOIN topics t ON t.i IN (r.id % 30, (r.id * 7) % 30)
WHERE r.reference LIKE 'TB-1990-%';

INSERT INTO dialogues_thread (title, status, is_locked, is_pinned, is_premoderated,
    slow_mode_seconds, post_count, last_number, last_post_at, created_at, author_id, theme_id)
SELECT pg_temp.words(n + 7, 1), CASE WHEN n % 50 = 0 THEN 'pending' ELSE 'open' END, false,
       n % 500 = 0, false, 0, 0, 0, now() - (random() * interval '730 days'), now(),
       (SELECT min(id) FROM portal_user WHERE email LIKE 'bench%') + n % 3000,
       (SELECT id FROM dialogues_theme ORDER BY id OFFSET n % 27 LIMIT 1)
FROM generate_series(1, 20000) AS n;

-- The first bench thread holds 12,000 posts; the rest are spread over the other threads.
CREATE TEMP TABLE bench_threads AS
SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM dialogues_thread WHERE status = 'open';
CREATE INDEX ON bench_threads (i);
SELECT count(*) - 1 AS other_threads FROM bench_threads \gset
INSERT INTO dialogues_post (author_was_official, author_was_moderator, is_opening, body,
    body_html, status, status_reason, is_official_response, flag_count, created_at,
    published_at, author_id, thread_id, number)
SELECT false, false, false, p.body, '<p>' || p.body || '</p>',
       CASE WHEN n % 100 = 0 THEN 'hidden' ELSE 'published' END, '', false, 0, d.at, d.at,
       (SELECT min(id) FROM portal_user WHERE email LIKE 'bench%') + n % 3000,
       t.id, NULL
FROM generate_series(1, :posts) AS n
CROSS JOIN LATERAL (SELECT pg_temp.words(n + 11, 4) AS body) AS p
CROSS JOIN LATERAL (SELECT now() - (random() * interval '730 days') AS at) AS d
JOIN bench_threads t ON t.i = CASE WHEN n <= 12000 THEN 0
                                   ELSE 1 + (n * 31) % :other_threads END;

UPDATE dialogues_post p SET number = numbered.number
FROM (SELECT id, row_number() OVER (PARTITION BY thread_id ORDER BY created_at, id) AS number
      FROM dialogues_post) AS numbered
WHERE p.id = numbered.id;
UPDATE dialogues_thread t SET post_count = s.total, last_number = s.total, last_post_at = s.latest
FROM (SELECT thread_id, count(*) AS total, max(published_at) AS latest
      FROM dialogues_post GROUP BY thread_id) AS s
WHERE t.id = s.thread_id;

VACUUM ANALYZE;
