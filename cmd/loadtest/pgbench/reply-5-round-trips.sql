-- A reply's statements against a database the load tool seeded (threads 1-100,
-- members of course 1), for PostgreSQL alone: see README, "Performance on PostgreSQL".
-- pgbench -n -M prepared -c 64 -j 2 -T 10 -f THIS_FILE DB
-- Five round trips as the server sends them; without the \startpipeline and
-- \endpipeline lines, ten (a statement each).
\set th random(1, 100)
\set u random(1, 1000)
INSERT INTO rate_windows AS w (name, key, n, window_end) SELECT 'discussion_posts', 'post:' || :u, 1, now() + interval '1 minute' FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit ON CONFLICT (name, key) DO UPDATE SET n = CASE WHEN w.window_end <= now() THEN 1 ELSE least(w.n + 1, 100) END, window_end = CASE WHEN w.window_end <= now() THEN now() + interval '1 minute' ELSE w.window_end END RETURNING n, window_end;
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT id, reply_count, nextval(pg_get_serial_sequence('discussion_posts', 'id')) AS pid FROM discussion_threads WHERE id = :th FOR UPDATE \gset
SELECT course_id, user_id, role FROM members WHERE course_id = 1 AND user_id = :u;
\startpipeline
INSERT INTO discussion_participants (thread_id, user_id) VALUES (:th, :u) ON CONFLICT DO NOTHING;
UPDATE discussion_threads SET last_post_id = :pid, reply_count = reply_count + 1, last_activity_at = now(), rev = rev + 1 WHERE id = :th;
INSERT INTO discussion_subscriptions AS s (thread_id, user_id, state, notification) VALUES (:th, :u, 2, 0) ON CONFLICT (thread_id, user_id) DO UPDATE SET state = excluded.state WHERE s.state IN (1, 3);
INSERT INTO discussion_posts (id, course_id, thread_id, parent_id, depth, author_id, deleted, endorsed, created_at, body_html, snippet, mentioned, source) VALUES (:pid, 1, :th, 0, 1, :u, false, false, now(), '<p>hello there this is a reply</p>', 'hello there', '{}', 'hello there this is a reply');
INSERT INTO discussion_reply_queue (thread_id, post_id) VALUES (:th, :pid) ON CONFLICT (thread_id, post_id) DO NOTHING;
COMMIT;
\endpipeline
