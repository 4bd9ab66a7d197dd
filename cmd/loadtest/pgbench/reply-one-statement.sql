-- A reply's statements against a database the load tool seeded (threads 1-100,
-- members of course 1), for PostgreSQL alone: see README, "Performance on PostgreSQL".
-- pgbench -n -M prepared -c 64 -j 2 -T 10 -f THIS_FILE DB
\set th random(1, 100)
\set u random(1, 1000)
WITH t AS (UPDATE discussion_threads SET reply_count = reply_count + 1, last_post_id = nextval(pg_get_serial_sequence('discussion_posts', 'id')), last_activity_at = now(), rev = rev + 1 WHERE id = :th RETURNING id, course_id, last_post_id), p AS (INSERT INTO discussion_posts (id, course_id, thread_id, parent_id, depth, author_id, deleted, endorsed, created_at, body_html, snippet, mentioned, source) SELECT last_post_id, course_id, id, 0, 1, :u, false, false, now(), '<p>hello there this is a reply</p>', 'hello there', '{}', 'hello there this is a reply' FROM t RETURNING id), q AS (INSERT INTO discussion_reply_queue (thread_id, post_id) SELECT :th, id FROM p), s AS (INSERT INTO discussion_participants (thread_id, user_id) VALUES (:th, :u) ON CONFLICT DO NOTHING) SELECT * FROM p;
