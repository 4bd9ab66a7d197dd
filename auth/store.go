package auth

import (
	"context"
	"errors"
	"time"
)

// Session is one sign-in: the family of refresh tokens it rotates through.
type Session struct {
	ID        uint64    `json:"id"`
	UserID    uint64    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked"`
}

// RefreshToken is what is kept of an opaque refresh token, under the
// SHA-256 of the token (never the token itself).
type RefreshToken struct {
	Session   uint64    `json:"session"`
	UserID    uint64    `json:"user_id"`
	Used      bool      `json:"used"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Errors a store returns; the service turns them into answers in one
// place each (a bad token, a 404, a conflict).
var (
	// ErrNotFound is a record the store does not hold.
	ErrNotFound = errors.New("auth: not found")
	// ErrEmailTaken is an account added with an address that already has
	// one.
	ErrEmailTaken = errors.New("auth: e-mail address taken")
)

// Store keeps accounts, sign-ins and the site settings. An engine
// implements it (the bbolt one is storage/bolt.Auth); storetest.Run is the
// contract every implementation passes. Each method joins the transaction
// ctx carries (txn.Runner), or runs in its own.
type Store interface {
	Users
	Sessions
	Settings
}

// Users keeps accounts, found by id or by e-mail address.
type Users interface {
	// AddUser stores u under a new id, larger than every id given before,
	// findable by its e-mail address, and returns it with that id. An
	// address that already has an account gives ErrEmailTaken and stores
	// nothing.
	AddUser(ctx context.Context, u User) (User, error)
	// User returns an account, or ErrNotFound.
	User(ctx context.Context, id uint64) (User, error)
	// UsersAmong returns the accounts among ids that exist, by id, in one
	// read (the recipients of a delivery).
	UsersAmong(ctx context.Context, ids []uint64) (map[uint64]User, error)
	// UserByEmail returns the account of an e-mail address, matched
	// trimmed and in lower case, or ErrNotFound.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserIDByEmail is the id of UserByEmail's account, without reading
	// the account, or ErrNotFound.
	UserIDByEmail(ctx context.Context, email string) (uint64, error)
	// AnyUser reports whether any account exists.
	AnyUser(ctx context.Context) (bool, error)
	// PutUser replaces the stored account with u's id. The e-mail address
	// of an account never changes, so the address it is found by stays.
	PutUser(ctx context.Context, u User) error
	// Users lists every account in id order.
	Users(ctx context.Context) ([]User, error)
	// NamesBetween returns the names of the accounts whose ids are in
	// [lo, hi], by id (a bucket of the names cache in one read).
	NamesBetween(ctx context.Context, lo, hi uint64) (map[uint64]string, error)
}

// Sessions keeps sign-ins and their refresh tokens.
type Sessions interface {
	// StartSession stores s under a new id, larger than every id given
	// before and listed under its user, together with its first refresh
	// token t under hash (t.Session set to the new id); it returns s with
	// that id.
	StartSession(ctx context.Context, s Session, hash []byte, t RefreshToken) (Session, error)
	// Session returns a sign-in, or ErrNotFound.
	Session(ctx context.Context, id uint64) (Session, error)
	// UserSession returns an account and a sign-in together, the check of
	// every authenticated request; ErrNotFound when either is missing.
	UserSession(ctx context.Context, user, sid uint64) (User, Session, error)
	// Revoke marks sign-ins revoked and returns the ids it found, in the
	// order given; ids without a sign-in are skipped.
	Revoke(ctx context.Context, ids []uint64) ([]uint64, error)
	// RevokeUser marks every sign-in of an account revoked.
	RevokeUser(ctx context.Context, user uint64) error
	// SessionIDs lists the ids of every sign-in of an account, revoked
	// or not, in id order (none for an account without sign-ins).
	SessionIDs(ctx context.Context, user uint64) ([]uint64, error)
	// RefreshToken returns the token kept under hash, or ErrNotFound.
	RefreshToken(ctx context.Context, hash []byte) (RefreshToken, error)
	// Rotate marks the token under old used and keeps next under new
	// (ErrNotFound when there is no token under old).
	Rotate(ctx context.Context, old, new []byte, next RefreshToken) error
}

// Settings keeps the site settings.
type Settings interface {
	// SiteSettings returns the settings last saved, or ErrNotFound when
	// none ever were.
	SiteSettings(ctx context.Context) (SiteSettings, error)
	// PutSiteSettings saves the settings.
	PutSiteSettings(ctx context.Context, st SiteSettings) error
}
