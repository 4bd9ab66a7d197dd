package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"pacer/auth"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it is
// with its id, in ctx's transaction.
func (s *Auth) Import(ctx context.Context, kind string, rec any) error {
	q := s.db.q(ctx)
	switch kind {
	case "users":
		u, ok := rec.(auth.User)
		if !ok {
			return fmt.Errorf("auth import: %s record is a %T", kind, rec)
		}
		_, err := q.Exec(ctx, `INSERT INTO users (id, email, email_key, name, password_hash, is_admin, disabled,
				can_create_courses, timezone, token_gen, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			int64(u.ID), u.Email, emailKey(u.Email), u.Name, u.PasswordHash, u.IsAdmin, u.Disabled,
			u.CanCreateCourses, u.Timezone, int64(u.TokenGen), u.CreatedAt)
		return err
	case "sessions":
		sess, ok := rec.(auth.Session)
		if !ok {
			return fmt.Errorf("auth import: %s record is a %T", kind, rec)
		}
		_, err := q.Exec(ctx, `INSERT INTO sessions (id, user_id, created_at, expires_at, revoked)
			VALUES ($1, $2, $3, $4, $5)`,
			int64(sess.ID), int64(sess.UserID), sess.CreatedAt, sess.ExpiresAt, sess.Revoked)
		return err
	case "refresh_tokens":
		t, ok := rec.(records.RefreshToken)
		if !ok {
			return fmt.Errorf("auth import: %s record is a %T", kind, rec)
		}
		if len(t.Hash) == 0 {
			return fmt.Errorf("auth import: a refresh token of session %d without its hash", t.Token.Session)
		}
		_, err := q.Exec(ctx, `INSERT INTO refresh_tokens (hash, session_id, user_id, used, expires_at)
			VALUES ($1, $2, $3, $4, $5)`,
			t.Hash, int64(t.Token.Session), int64(t.Token.UserID), t.Token.Used, t.Token.ExpiresAt)
		return err
	case "site_settings":
		st, ok := rec.(auth.SiteSettings)
		if !ok {
			return fmt.Errorf("auth import: %s record is a %T", kind, rec)
		}
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		_, err = q.Exec(ctx, `INSERT INTO site_settings (name, value) VALUES ($1, $2)`, siteSettingsName, string(raw))
		return err
	}
	return fmt.Errorf("auth import: unknown kind %q", kind)
}

// Counts implements migrate.Importer: records of each kind held. Only
// auth's own row of site_settings is counted, since the table is named
// for the site, not for auth.
func (s *Auth) Counts(ctx context.Context) (map[string]int64, error) {
	var users, sessions, tokens, settings int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM sessions),
			(SELECT count(*) FROM refresh_tokens), (SELECT count(*) FROM site_settings WHERE name = $1)`,
		siteSettingsName).Scan(&users, &sessions, &tokens, &settings)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"users": users, "sessions": sessions, "refresh_tokens": tokens, "site_settings": settings}, nil
}
