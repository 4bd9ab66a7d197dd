package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/auth"
)

const sessionColumns = `id, user_id, created_at, expires_at, revoked`

func scanSession(row pgx.Row) (auth.Session, error) {
	var s auth.Session
	var id, user int64
	err := row.Scan(&id, &user, &s.CreatedAt, &s.ExpiresAt, &s.Revoked)
	s.ID, s.UserID, s.CreatedAt, s.ExpiresAt = uint64(id), uint64(user), s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return s, err
}

// StartSession implements auth.Store: the sign-in and its first token in
// one statement.
func (s *Auth) StartSession(ctx context.Context, sess auth.Session, hash []byte, t auth.RefreshToken) (auth.Session, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `WITH s AS (
			INSERT INTO sessions (user_id, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4) RETURNING id)
		INSERT INTO refresh_tokens (hash, session_id, user_id, used, expires_at)
		SELECT $5, s.id, $6, $7, $8 FROM s RETURNING session_id`,
		int64(sess.UserID), sess.CreatedAt, sess.ExpiresAt, sess.Revoked,
		hash, int64(t.UserID), t.Used, t.ExpiresAt).Scan(&id)
	if err != nil {
		return sess, err
	}
	sess.ID = uint64(id)
	return sess, nil
}

// Session implements auth.Store.
func (s *Auth) Session(ctx context.Context, id uint64) (auth.Session, error) {
	sess, err := scanSession(s.db.q(ctx).QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, int64(id)))
	return sess, authErr(err)
}

// UserSession implements auth.Store: both rows in one query, which finds
// nothing when either is missing. As on bbolt it does not check that the
// sign-in is the account's; the caller compares.
func (s *Auth) UserSession(ctx context.Context, user, sid uint64) (auth.User, auth.Session, error) {
	var u auth.User
	var sess auth.Session
	var uid, gen, id, suser int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT u.id, u.email, u.name, u.password_hash, u.is_admin, u.disabled,
			u.can_create_courses, u.timezone, u.token_gen, u.created_at,
			s.id, s.user_id, s.created_at, s.expires_at, s.revoked
		FROM users u, sessions s WHERE u.id = $1 AND s.id = $2`, int64(user), int64(sid)).Scan(
		&uid, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.Disabled, &u.CanCreateCourses, &u.Timezone, &gen, &u.CreatedAt,
		&id, &suser, &sess.CreatedAt, &sess.ExpiresAt, &sess.Revoked)
	if err != nil {
		return auth.User{}, auth.Session{}, authErr(err)
	}
	u.ID, u.TokenGen, u.CreatedAt = uint64(uid), uint64(gen), u.CreatedAt.UTC()
	sess.ID, sess.UserID, sess.CreatedAt, sess.ExpiresAt = uint64(id), uint64(suser), sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()
	return u, sess, nil
}

// Revoke implements auth.Store: one update of the set, whose ids found are
// then put in the order given.
func (s *Auth) Revoke(ctx context.Context, ids []uint64) ([]uint64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	want := make([]int64, len(ids))
	for i, id := range ids {
		want[i] = int64(id)
	}
	rows, err := s.db.q(ctx).Query(ctx, `UPDATE sessions SET revoked = true WHERE id = ANY($1) RETURNING id`, want)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	have := make(map[uint64]bool, len(got))
	for _, id := range got {
		have[uint64(id)] = true
	}
	var found []uint64
	for _, id := range ids {
		if have[id] {
			found = append(found, id)
		}
	}
	return found, nil
}

// RevokeUser implements auth.Store.
func (s *Auth) RevokeUser(ctx context.Context, user uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `UPDATE sessions SET revoked = true WHERE user_id = $1 AND NOT revoked`, int64(user))
	return err
}

// SessionIDs implements auth.Store: an index-only read of sessions_user.
func (s *Auth) SessionIDs(ctx context.Context, user uint64) ([]uint64, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT id FROM sessions WHERE user_id = $1 ORDER BY id`, int64(user))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, id := range ids {
		out = append(out, uint64(id))
	}
	return out, nil
}

// RefreshToken implements auth.Store.
func (s *Auth) RefreshToken(ctx context.Context, hash []byte) (auth.RefreshToken, error) {
	var t auth.RefreshToken
	var sid, user int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT session_id, user_id, used, expires_at FROM refresh_tokens WHERE hash = $1`, hash).
		Scan(&sid, &user, &t.Used, &t.ExpiresAt)
	if err != nil {
		return auth.RefreshToken{}, authErr(err)
	}
	t.Session, t.UserID, t.ExpiresAt = uint64(sid), uint64(user), t.ExpiresAt.UTC()
	return t, nil
}

// Rotate implements auth.Store. The next token replaces one already kept
// under new, as a put does on bbolt.
func (s *Auth) Rotate(ctx context.Context, old, new []byte, next auth.RefreshToken) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		q := s.db.q(ctx)
		tag, err := q.Exec(ctx, `UPDATE refresh_tokens SET used = true WHERE hash = $1`, old)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return auth.ErrNotFound
		}
		_, err = q.Exec(ctx, `INSERT INTO refresh_tokens (hash, session_id, user_id, used, expires_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (hash) DO UPDATE SET session_id = excluded.session_id, user_id = excluded.user_id,
				used = excluded.used, expires_at = excluded.expires_at`,
			new, int64(next.Session), int64(next.UserID), next.Used, next.ExpiresAt)
		return err
	})
}
