package postgres

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"pacer/auth"
)

// Auth implements auth.Store in tables users, sessions, refresh_tokens and
// site_settings (migrations/0002_auth.sql).
type Auth struct{ db *DB }

// NewAuth returns the store over db.
func NewAuth(db *DB) *Auth { return &Auth{db: db} }

var _ auth.Store = (*Auth)(nil)

// emailKey is the address as accounts are found by it: trimmed and in
// lower case, folded in Go as the bbolt engine folds it, so that both
// engines agree on which addresses are the same.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// userColumns are read by scanUser, in its order.
const userColumns = `id, email, name, password_hash, is_admin, disabled, can_create_courses, timezone, token_gen, created_at`

func scanUser(row pgx.Row) (auth.User, error) {
	var u auth.User
	var id, gen int64
	err := row.Scan(&id, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.Disabled, &u.CanCreateCourses,
		&u.Timezone, &gen, &u.CreatedAt)
	u.ID, u.TokenGen, u.CreatedAt = uint64(id), uint64(gen), u.CreatedAt.UTC()
	return u, err
}

// authErr maps a read that found nothing to the store's error.
func authErr(err error) error {
	if noRows(err) {
		return auth.ErrNotFound
	}
	return err
}

// AddUser implements auth.Store: the unique address key refuses a taken
// address, so the check and the insert are one statement. The conflict is
// answered with DO NOTHING rather than raised, so that a caller's
// transaction that hears ErrEmailTaken is still usable, as on bbolt.
func (s *Auth) AddUser(ctx context.Context, u auth.User) (auth.User, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO users (email, email_key, name, password_hash, is_admin, disabled,
			can_create_courses, timezone, token_gen, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (email_key) DO NOTHING RETURNING id`,
		u.Email, emailKey(u.Email), u.Name, u.PasswordHash, u.IsAdmin, u.Disabled, u.CanCreateCourses,
		u.Timezone, int64(u.TokenGen), u.CreatedAt).Scan(&id)
	if noRows(err) {
		return u, auth.ErrEmailTaken
	}
	if err != nil {
		return u, err
	}
	u.ID = uint64(id)
	return u, nil
}

// User implements auth.Store.
func (s *Auth) User(ctx context.Context, id uint64) (auth.User, error) {
	u, err := scanUser(s.db.q(ctx).QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, int64(id)))
	return u, authErr(err)
}

// UsersAmong implements auth.Store: one read of the primary key.
func (s *Auth) UsersAmong(ctx context.Context, ids []uint64) (map[uint64]auth.User, error) {
	out := make(map[uint64]auth.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	users, err := s.queryUsers(ctx, `SELECT `+userColumns+` FROM users WHERE id = ANY($1)`, int64s(ids))
	for _, u := range users {
		out[u.ID] = u
	}
	return out, err
}

// UserByEmail implements auth.Store.
func (s *Auth) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	u, err := scanUser(s.db.q(ctx).QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email_key = $1`, emailKey(email)))
	return u, authErr(err)
}

// UserIDByEmail implements auth.Store: an index-only read of the address
// key.
func (s *Auth) UserIDByEmail(ctx context.Context, email string) (uint64, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT id FROM users WHERE email_key = $1`, emailKey(email)).Scan(&id)
	return uint64(id), authErr(err)
}

// AnyUser implements auth.Store.
func (s *Auth) AnyUser(ctx context.Context) (bool, error) {
	var some bool
	err := s.db.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&some)
	return some, err
}

// PutUser implements auth.Store. The address key is left as it is: an
// account's address never changes, and the account stays found by the one
// it was added with. An account that is not stored is ErrNotFound (the
// bbolt engine would store it without an address key; nothing replaces an
// account it did not read first).
func (s *Auth) PutUser(ctx context.Context, u auth.User) error {
	tag, err := s.db.q(ctx).Exec(ctx, `UPDATE users SET email = $2, name = $3, password_hash = $4, is_admin = $5,
			disabled = $6, can_create_courses = $7, timezone = $8, token_gen = $9, created_at = $10
		WHERE id = $1`,
		int64(u.ID), u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Disabled, u.CanCreateCourses,
		u.Timezone, int64(u.TokenGen), u.CreatedAt)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// Users implements auth.Store: one query in id order.
func (s *Auth) Users(ctx context.Context) ([]auth.User, error) {
	return s.queryUsers(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
}

// NamesBetween implements auth.Store: one range scan of the primary key.
func (s *Auth) NamesBetween(ctx context.Context, lo, hi uint64) (map[uint64]string, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT id, name FROM users WHERE id BETWEEN $1 AND $2`, int64(lo), int64(min(hi, math.MaxInt64)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[uint64(id)] = name
	}
	return out, rows.Err()
}

func (s *Auth) queryUsers(ctx context.Context, sql string, args ...any) ([]auth.User, error) {
	rows, err := s.db.q(ctx).Query(ctx, sql, args...)
	return collect(rows, err, func(r interface{ Scan(...any) error }) (auth.User, error) { return scanUser(r) })
}

// siteSettingsName is auth's record in site_settings.
const siteSettingsName = "site"

// SiteSettings implements auth.Store.
func (s *Auth) SiteSettings(ctx context.Context) (auth.SiteSettings, error) {
	var st auth.SiteSettings
	var raw []byte
	err := s.db.q(ctx).QueryRow(ctx, `SELECT value FROM site_settings WHERE name = $1`, siteSettingsName).Scan(&raw)
	if err != nil {
		return st, authErr(err)
	}
	return st, json.Unmarshal(raw, &st)
}

// PutSiteSettings implements auth.Store.
func (s *Auth) PutSiteSettings(ctx context.Context, st auth.SiteSettings) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.db.q(ctx).Exec(ctx, `INSERT INTO site_settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, siteSettingsName, string(raw))
	return err
}
