// Package auth owns accounts: users and their argon2id passwords, short-lived
// JWT access tokens, opaque rotating refresh tokens grouped in families (one
// per sign-in), and the Fiber middleware through which every handler learns
// who is calling.
package auth

import (
	"context"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pacer/audit"
	"pacer/cache"
	"pacer/errs"
	"pacer/limit"
	"pacer/oneline"
	"pacer/txn"
)

// User is an account. PasswordHash and TokenGen never leave this package's
// JSON answers (see Public).
type User struct {
	ID           uint64 `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	PasswordHash string `json:"password_hash"`
	IsAdmin      bool   `json:"is_admin"`
	Disabled     bool   `json:"disabled"`
	// CanCreateCourses lets the user create courses when the site setting
	// course_creation is "creators".
	CanCreateCourses bool      `json:"can_create_courses,omitempty"`
	Timezone         string    `json:"timezone"`
	TokenGen         uint64    `json:"token_gen"`
	CreatedAt        time.Time `json:"created_at"`
}

// PublicUser is what the API shows of a user to themselves.
type PublicUser struct {
	ID       uint64 `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	IsAdmin  bool   `json:"is_admin"`
	Timezone string `json:"timezone"`
}

// Public returns the user as the API shows it.
func (u User) Public() PublicUser {
	return PublicUser{ID: u.ID, Email: u.Email, Name: u.Name, IsAdmin: u.IsAdmin, Timezone: u.Timezone}
}

// Config is what the service is built from and tunes it.
type Config struct {
	Tx    txn.Runner // the engine's transactions
	Store Store      // where accounts and sign-ins are kept
	// Revisions are the engine's revisions, which keep the caches of
	// accounts and sign-ins exact across processes (cache.go). Every
	// service writing the store must have them; nil caches nothing.
	Revisions cache.Revisions

	AccessTTL  time.Duration // default 15 min
	RefreshTTL time.Duration // default 30 days
	Argon2     Argon2Params  // default OWASPParams()
	HashLimit  int           // concurrent hashes, default 2
	// Limits builds the service's rate limits (password checks, and the
	// sign-in and registration limit of NewHTTP); nil keeps them in this
	// process's memory (limit.Memory).
	Limits limit.Factory
}

// Password checks of a signed-in account (PATCH /me's current_password):
// a stolen access token must not become an oracle for the password, nor a
// way to keep argon2 busy. Attempts beyond this many failures in the window
// get 429 without any hashing.
const (
	PasswordCheckLimit  = 5
	PasswordCheckWindow = 15 * time.Minute
)

// Service is the account service.
type Service struct {
	tx     txn.Runner
	store  Store
	now    func() time.Time
	cfg    Config
	hasher *Hasher
	tokens *tokens
	key    []byte
	revs   cache.Revisions
	cache  caches
	// limits built passwordChecks, and builds NewHTTP's limiter.
	limits limit.Factory
	// passwordChecks counts failed current_password checks per account.
	passwordChecks limit.Limiter
	// passwordChanged runs inside the transaction that changes a password,
	// so that secrets derived from the account (the calendar feed URL)
	// change with it.
	passwordChanged []func(ctx context.Context, user uint64) error
	// Audit records password changes, failed password checks and refresh
	// token reuse (nil records nothing).
	Audit *audit.Log
}

// NewService builds the service around a signing key of at least 32 bytes.
func NewService(key []byte, cfg Config, now func() time.Time) (*Service, error) {
	if len(key) < MinKeyBytes {
		return nil, errors.New("auth: signing key shorter than 32 bytes")
	}
	if cfg.Tx == nil || cfg.Store == nil {
		return nil, errors.New("auth: no store")
	}
	if now == nil {
		now = time.Now
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	if cfg.Argon2.MemoryKiB == 0 {
		cfg.Argon2 = OWASPParams()
	}
	if cfg.HashLimit <= 0 {
		cfg.HashLimit = 2
	}
	if cfg.Limits == nil {
		cfg.Limits = limit.Memory(now)
	}
	return &Service{tx: cfg.Tx, store: cfg.Store, now: now, cfg: cfg, hasher: NewHasher(cfg.Argon2, cfg.HashLimit),
		tokens: newTokens(key, cfg.AccessTTL, now), key: key, revs: cfg.Revisions, cache: newCaches(cfg.Revisions),
		limits: cfg.Limits, passwordChecks: cfg.Limits("password_checks", PasswordCheckLimit, PasswordCheckWindow)}, nil
}

// OnPasswordChanged adds f to the work done in the transaction of every
// password change (and of nothing else). It is wiring: ctx is not read.
func (s *Service) OnPasswordChanged(ctx context.Context, f func(ctx context.Context, user uint64) error) {
	s.passwordChanged = append(s.passwordChanged, f)
}

// ipKey is the key under which the hashing of a client's request waits
// its turn (see Hasher): requests of one client IP take turns with each
// other, not with everybody.
func ipKey(ip string) string {
	if ip == "" {
		return ""
	}
	return "ip:" + ip
}

func userKey(id uint64) string { return "user:" + strconv.FormatUint(id, 10) }

// Tokens is the answer to register, login and refresh.
type Tokens struct {
	User         PublicUser `json:"user"`
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	ExpiresAt    time.Time  `json:"expires_at"`
	session      uint64
}

// Session is the sign-in the tokens belong to (for CSRF tokens of pages).
func (t Tokens) Session() uint64 { return t.session }

// NewUser is the input of Register and CreateUser.
type NewUser struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// NormalEmail checks an e-mail address and returns it in the form accounts
// are matched by (trimmed, lower case), so that an invitation sent to an
// address finds the account that registers with it.
func NormalEmail(s string) (string, bool) { return validEmail(s) }

func validEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 3 || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return "", false
	}
	return strings.ToLower(s), true
}

func validPassword(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return "must be valid UTF-8"
	case n < 8:
		return "must be at least 8 characters"
	case n > 128:
		return "must be at most 128 characters"
	}
	return ""
}

// ValidName checks a display name: 1 to 100 characters of text.
func ValidName(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", "required"
	case oneline.Problem(s) != "":
		return "", oneline.Reason
	case utf8.RuneCountInString(s) > 100:
		return "", "must be at most 100 characters"
	}
	return s, ""
}

func (in NewUser) validate() (NewUser, error) {
	fields := map[string]string{}
	email, ok := validEmail(in.Email)
	if !ok {
		fields["email"] = "must be a valid e-mail address"
	}
	if r := validPassword(in.Password); r != "" {
		fields["password"] = r
	}
	name, r := ValidName(in.Name)
	if r != "" {
		fields["name"] = r
	}
	if len(fields) > 0 {
		return in, errs.Validation(fields)
	}
	return NewUser{Email: email, Password: in.Password, Name: name}, nil
}

// CreateUser adds an account (used by registration and `pacer user add`).
func (s *Service) CreateUser(ctx context.Context, in NewUser, admin bool) (User, error) {
	return s.createUser(ctx, "", in, admin)
}

func (s *Service) createUser(ctx context.Context, hashKey string, in NewUser, admin bool) (User, error) {
	in, err := in.validate()
	if err != nil {
		return User{}, err
	}
	// Hash outside the transaction: it is slow and needs no lock.
	hash, err := s.hasher.HashFor(hashKey, in.Password)
	if err != nil {
		return User{}, errs.Wrap(err, "hash password")
	}
	u := User{Email: in.Email, Name: in.Name, PasswordHash: hash, IsAdmin: admin,
		Timezone: "UTC", TokenGen: 1, CreatedAt: s.now().UTC()}
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.store.AddUser(ctx, u); err != nil {
			return err
		}
		// Its id is known only now; no read of this transaction
		// comes after.
		return s.bumpNames(ctx, u.ID)
	})
	if errors.Is(err, ErrEmailTaken) {
		return User{}, errs.ConflictCode("conflict", "an account with this e-mail already exists")
	}
	if err != nil {
		return User{}, errs.Wrap(err, "create user")
	}
	return u, nil
}

// Register creates an account and signs it in.
func (s *Service) Register(ctx context.Context, in NewUser) (Tokens, error) {
	return s.RegisterFrom(ctx, "", in)
}

// RegisterFrom is Register for a client at ip, whose hashing takes turns
// with its own other requests only.
func (s *Service) RegisterFrom(ctx context.Context, ip string, in NewUser) (Tokens, error) {
	u, err := s.createUser(ctx, ipKey(ip), in, false)
	if err != nil {
		return Tokens{}, err
	}
	return s.startSession(ctx, u)
}

var errBadLogin = errs.Unauth("wrong e-mail or password")

// Login checks a password and starts a session. Unknown e-mails, wrong
// passwords and disabled accounts get the same answer after the same work.
func (s *Service) Login(ctx context.Context, email, password string) (Tokens, User, error) {
	return s.LoginFrom(ctx, "", email, password)
}

// LoginFrom is Login for a client at ip, whose hashing takes turns with its
// own other requests only, so that a flood from one client does not slow
// everybody else's sign-in.
func (s *Service) LoginFrom(ctx context.Context, ip, email, password string) (Tokens, User, error) {
	hashKey := ipKey(ip)
	var u User
	var found bool
	// An address with a NUL character has no account (and PostgreSQL
	// cannot even compare one): it fails as an unknown address does.
	if key := matchEmail(email); len(key) > 0 && len(key) <= 254 && !strings.ContainsRune(key, 0) {
		err := s.tx.Read(ctx, func(ctx context.Context) error {
			var err error
			u, err = s.store.UserByEmail(ctx, email)
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			found = err == nil
			return err
		})
		if err != nil {
			return Tokens{}, User{}, errs.Wrap(err, "login lookup")
		}
	}
	if !found || len(password) > 1024 {
		s.hasher.VerifyDummyFor(hashKey, password)
		return Tokens{}, User{}, errBadLogin
	}
	if !s.hasher.VerifyFor(hashKey, u.PasswordHash, password) || u.Disabled {
		return Tokens{}, u, errBadLogin
	}
	t, err := s.startSession(ctx, u)
	return t, u, err
}

// matchEmail is an address as accounts are matched by it (the store
// matches the same way), to refuse what no account can have.
func matchEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (s *Service) startSession(ctx context.Context, u User) (Tokens, error) {
	token, hash, err := newOpaque()
	if err != nil {
		return Tokens{}, errs.Wrap(err, "token")
	}
	now := s.now().UTC()
	sess := Session{UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTTL)}
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		sess, err = s.store.StartSession(ctx, sess, hash, RefreshToken{UserID: u.ID, ExpiresAt: sess.ExpiresAt})
		return err
	})
	if err != nil {
		return Tokens{}, errs.Wrap(err, "start session")
	}
	return s.pair(u, sess.ID, token)
}

func (s *Service) pair(u User, sid uint64, refresh string) (Tokens, error) {
	access, exp, err := s.tokens.issue(u.ID, sid, u.TokenGen)
	if err != nil {
		return Tokens{}, errs.Wrap(err, "sign token")
	}
	return Tokens{User: u.Public(), AccessToken: access, RefreshToken: refresh, ExpiresAt: exp, session: sid}, nil
}

var errBadRefresh = errs.Unauth("invalid or expired refresh token")

// Refresh rotates a refresh token: the old one stops working and a new pair
// is returned. Presenting an already-used token means it was stolen or
// replayed, so the whole family (the sign-in) is revoked, and the reuse is
// audited with the client's ip.
func (s *Service) Refresh(ctx context.Context, token, ip string) (Tokens, error) {
	if token == "" || len(token) > 256 {
		return Tokens{}, errBadRefresh
	}
	newToken, newHash, err := newOpaque()
	if err != nil {
		return Tokens{}, errs.Wrap(err, "token")
	}
	now := s.now()
	var u User
	var sid uint64
	var reused bool
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		reused = false
		rec, sess, err := s.refreshToken(ctx, token)
		if err != nil {
			return err
		}
		if rec.Used {
			// Commit the revocation, then answer 401 after the commit.
			reused = true
			if err := s.bumpSignin(ctx, sess.UserID, sess.ID); err != nil {
				return err
			}
			if err := s.Audit.Record(ctx, audit.Entry{ActorID: sess.UserID, Action: "refresh_token_reused",
				TargetID: sess.ID, Detail: "session revoked", IP: ip}); err != nil {
				return err
			}
			_, err := s.store.Revoke(ctx, []uint64{sess.ID})
			return err
		}
		if sess.Revoked || now.After(rec.ExpiresAt) {
			return errBadRefresh
		}
		if u, err = s.store.User(ctx, rec.UserID); err != nil {
			return err
		}
		if u.Disabled {
			return errBadRefresh
		}
		sid = sess.ID
		return s.store.Rotate(ctx, hashOpaque(token), newHash, RefreshToken{Session: sess.ID, UserID: u.ID, ExpiresAt: sess.ExpiresAt})
	})
	if err != nil {
		return Tokens{}, errs.Wrap(err, "refresh")
	}
	if reused {
		return Tokens{}, errs.Unauth("refresh token reused; the session has been revoked")
	}
	return s.pair(u, sid, newToken)
}

// AccessFor issues a fresh access token for a still-valid refresh token
// without rotating it. Pages use it: several page requests may race to renew
// one cookie session, and rotation would read that as token reuse.
func (s *Service) AccessFor(ctx context.Context, refresh string) (Tokens, error) {
	if refresh == "" || len(refresh) > 256 {
		return Tokens{}, errBadRefresh
	}
	var u User
	var sid uint64
	now := s.now()
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		rec, sess, err := s.refreshToken(ctx, refresh)
		if err != nil {
			return err
		}
		if rec.Used || sess.Revoked || now.After(rec.ExpiresAt) {
			return errBadRefresh
		}
		if u, err = s.store.User(ctx, rec.UserID); err != nil {
			return err
		}
		if u.Disabled {
			return errBadRefresh
		}
		sid = sess.ID
		return nil
	})
	if err != nil {
		return Tokens{}, errs.Wrap(err, "renew access")
	}
	return s.pair(u, sid, refresh)
}

// refreshToken reads a refresh token and its sign-in. An unknown token is
// errBadRefresh; a token without its sign-in is a broken store, not a bad
// token, and its error is the store's.
func (s *Service) refreshToken(ctx context.Context, token string) (RefreshToken, Session, error) {
	rec, err := s.store.RefreshToken(ctx, hashOpaque(token))
	if errors.Is(err, ErrNotFound) {
		return rec, Session{}, errBadRefresh
	}
	if err != nil {
		return rec, Session{}, err
	}
	sess, err := s.store.Session(ctx, rec.Session)
	return rec, sess, err
}

// Logout revokes the sign-in of a refresh token and, when given, of the
// caller's access token. Their access tokens stop working at once.
func (s *Service) Logout(ctx context.Context, refresh string, caller *Identity) error {
	var revokedIDs []uint64
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var sids []uint64
		if caller != nil {
			if err := s.bumpSignin(ctx, caller.UserID, caller.Session); err != nil {
				return err
			}
			sids = append(sids, caller.Session)
		}
		if refresh != "" && len(refresh) <= 256 {
			rec, err := s.store.RefreshToken(ctx, hashOpaque(refresh))
			if err == nil {
				// A refresh token of someone else's sign-in is ignored when
				// the caller is known, so nobody can log out another user.
				if caller == nil || rec.UserID == caller.UserID {
					if err := s.bumpSignin(ctx, rec.UserID, rec.Session); err != nil {
						return err
					}
					sids = append(sids, rec.Session)
				}
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		var err error
		revokedIDs, err = s.store.Revoke(ctx, sids)
		return err
	})
	if err != nil {
		return errs.Wrap(err, "logout")
	}
	if len(revokedIDs) == 0 {
		return errBadRefresh
	}
	return nil
}

// Identity is who is calling, as established from a valid, unrevoked token.
type Identity struct {
	UserID  uint64
	Name    string
	Email   string
	IsAdmin bool
	Session uint64
	// Timezone is the user's own time zone (IANA name).
	Timezone string
}

var errBadToken = errs.Unauth("invalid or expired token")

// errForeignSignin is a token naming a sign-in of another account.
var errForeignSignin = errors.New("auth: sign-in of another account")

// Authenticate verifies an access token and checks, on every call, that its
// sign-in is not revoked, the password has not changed since it was issued,
// and the account is not disabled.
func (s *Service) Authenticate(ctx context.Context, raw string) (*Identity, error) {
	v, ok := s.tokens.verify(raw)
	if !ok {
		return nil, errBadToken
	}
	// Nearly every request is a hit: the check is then one revision read,
	// put off to go with the request's first statement where ctx has room
	// for that (cache.PeekLater; Identify settles it).
	in, hit, err := s.cache.signins.PeekLater(ctx, v.user, v.sid)
	if !hit && err == nil {
		err = s.readSignin(ctx, v.user, v.sid, &in)
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, errForeignSignin) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, errs.Wrap(err, "authenticate")
	}
	u, sess := in.user, in.session
	if u.Disabled || u.TokenGen != v.gen || sess.Revoked || sess.UserID != u.ID {
		return nil, errBadToken
	}
	return &Identity{UserID: u.ID, Name: u.Name, Email: u.Email, IsAdmin: u.IsAdmin, Session: sess.ID, Timezone: u.Timezone}, nil
}

// putsOff reports whether checking a sign-in costs a round trip of its
// own that is worth putting off (cache.PeekLater).
func (s *Service) putsOff() bool {
	_, ok := s.revs.(cache.Prefetcher)
	return ok
}

// settle makes the checks of ctx's request put off (Authenticate) that no
// statement made: cache.ErrChanged when one found its sign-in changed.
func (s *Service) settle(ctx context.Context) error {
	if s.revs == nil {
		return nil
	}
	return cache.Settle(ctx, s.revs)
}

// readSignin loads a sign-in through its cache in a read transaction.
func (s *Service) readSignin(ctx context.Context, user, sid uint64, in *signin) error {
	return s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		*in, err = s.cache.signins.Read(ctx, user, sid, func(ctx context.Context) (signin, error) {
			u, sess, err := s.store.UserSession(ctx, user, sid)
			if err == nil && sess.UserID != u.ID {
				// Kept under another account than its own, it would
				// miss its own account's bumps.
				err = errForeignSignin
			}
			return signin{withoutHash(u), sess}, err
		})
		return err
	})
}

// User returns a user by id.
func (s *Service) User(ctx context.Context, id uint64) (User, error) {
	var u User
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.user(ctx, id)
		return err
	})
	return u, err
}

// UsersAmong returns the accounts among ids that exist, by id, in one
// read.
func (s *Service) UsersAmong(ctx context.Context, ids []uint64) (map[uint64]User, error) {
	var out map[uint64]User
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.store.UsersAmong(ctx, ids)
		return err
	})
	return out, err
}

// user reads an account in the transaction ctx carries; a missing one is
// a 404.
func (s *Service) user(ctx context.Context, id uint64) (User, error) {
	u, err := s.store.User(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return u, errs.NotFoundf("user")
	}
	return u, err
}

// UserIDByEmail returns the id of the account with an e-mail address, or
// 0, joining the transaction the context carries.
func (s *Service) UserIDByEmail(ctx context.Context, email string) (uint64, error) {
	var id uint64
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		id, err = s.store.UserIDByEmail(ctx, email)
		if errors.Is(err, ErrNotFound) {
			id, err = 0, nil
		}
		return err
	})
	return id, errs.Wrap(err, "find account by e-mail")
}

// AnyUser reports whether any account exists (a fresh data directory has
// none: the demo seeds only then).
func (s *Service) AnyUser(ctx context.Context) (bool, error) {
	var found bool
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		found, err = s.store.AnyUser(ctx)
		return err
	})
	return found, errs.Wrap(err, "any account")
}

// Update is the body of PATCH /me.
type Update struct {
	Name            *string `json:"name"`
	Timezone        *string `json:"timezone"`
	Password        *string `json:"password"`
	CurrentPassword *string `json:"current_password"`
}

// UpdateMe changes the caller's own account. A new password needs the
// current one and ends every sign-in of the account, this one included; it
// also changes the account's other secrets (OnPasswordChanged) and is
// audited with the client's ip. Wrong current passwords are limited per
// account (PasswordCheckLimit) and audited.
func (s *Service) UpdateMe(ctx context.Context, userID uint64, in Update, ip string) (User, bool, error) {
	fields := map[string]string{}
	var name string
	if in.Name != nil {
		var r string
		if name, r = ValidName(*in.Name); r != "" {
			fields["name"] = r
		}
	}
	if in.Timezone != nil {
		if !ValidTimezone(*in.Timezone) {
			fields["timezone"] = "must be an IANA time zone name"
		}
	}
	if in.Password != nil {
		if r := validPassword(*in.Password); r != "" {
			fields["password"] = r
		}
		if in.CurrentPassword == nil || *in.CurrentPassword == "" {
			fields["current_password"] = "required to change the password"
		}
	}
	if len(fields) > 0 {
		return User{}, false, errs.Validation(fields)
	}
	u, err := s.User(ctx, userID)
	if err != nil {
		return User{}, false, err
	}
	var newHash string
	if in.Password != nil {
		if err := s.checkPassword(ctx, u, *in.CurrentPassword, ip); err != nil {
			return User{}, false, err
		}
		if newHash, err = s.hasher.HashFor(userKey(userID), *in.Password); err != nil {
			return User{}, false, errs.Wrap(err, "hash")
		}
	}
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		if err := s.bumpAccount(ctx, userID); err != nil {
			return err
		}
		var err error
		if u, err = s.user(ctx, userID); err != nil {
			return err
		}
		if in.Name != nil {
			u.Name = name
		}
		if in.Timezone != nil {
			u.Timezone = *in.Timezone
		}
		if newHash != "" {
			u.PasswordHash = newHash
			u.TokenGen++
			if err := s.store.RevokeUser(ctx, u.ID); err != nil {
				return err
			}
			for _, f := range s.passwordChanged {
				// ctx carries this transaction: the hooks join it.
				if err := f(ctx, u.ID); err != nil {
					return err
				}
			}
			if err := s.Audit.Record(ctx, audit.Entry{ActorID: u.ID, Action: "password_changed", IP: ip}); err != nil {
				return err
			}
		}
		return s.store.PutUser(ctx, u)
	})
	if err != nil {
		return User{}, false, errs.Wrap(err, "update user")
	}
	return u, newHash != "", nil
}

// checkPassword checks a signed-in user's current password. Each check is
// counted before hashing, so that concurrent guesses cannot all slip in
// under the limit, and refunded when right: only failures count. Over the
// limit the answer is 429 without any hashing.
func (s *Service) checkPassword(ctx context.Context, u User, password, ip string) error {
	key := userKey(u.ID)
	if ok, wait := s.passwordChecks.Allow(ctx, key); !ok {
		return errs.Limited("too many wrong passwords; try again later", wait)
	}
	if len(password) <= 1024 && s.hasher.VerifyFor(key, u.PasswordHash, password) {
		s.passwordChecks.Refund(ctx, key)
		return nil
	}
	// The failed check has happened whether or not its entry is written.
	s.Audit.RecordAfter(context.Background(), audit.Entry{ActorID: u.ID, Action: "password_check_failed", IP: ip})
	return errs.Field("current_password", "is wrong")
}

// SetDisabled disables or re-enables an account; disabling ends its
// sign-ins at once.
func (s *Service) SetDisabled(ctx context.Context, userID uint64, disabled bool) (User, error) {
	var u User
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.setDisabled(ctx, userID, disabled)
		return err
	})
	return u, errs.Wrap(err, "disable user")
}

func (s *Service) setDisabled(ctx context.Context, userID uint64, disabled bool) (User, error) {
	if err := s.bumpAccount(ctx, userID); err != nil {
		return User{}, err
	}
	u, err := s.user(ctx, userID)
	if err != nil {
		return u, err
	}
	u.Disabled = disabled
	if disabled {
		u.TokenGen++
		if err := s.store.RevokeUser(ctx, u.ID); err != nil {
			return u, err
		}
	}
	return u, s.store.PutUser(ctx, u)
}

// ValidTimezone reports whether name is a loadable IANA zone.
func ValidTimezone(name string) bool {
	if name == "" || len(name) > 64 || strings.Contains(name, "..") {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil && name != "Local"
}

// Sign returns an HMAC of msg bound to purpose with the server key, for
// links that must not be forgeable (calendar feeds, unsubscribe links).
// It reads nothing: ctx is not read.
func (s *Service) Sign(ctx context.Context, purpose, msg string) string {
	return mac(s.key, purpose, msg)
}

// CheckSignature reports whether sig is Sign(purpose, msg); ctx is not
// read.
func (s *Service) CheckSignature(ctx context.Context, purpose, msg, sig string) bool {
	return s.checkSignature(purpose, msg, sig)
}

func (s *Service) checkSignature(purpose, msg, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(mac(s.key, purpose, msg)))
}

// CSRFToken is the token a page form of this sign-in must carry.
func (s *Service) CSRFToken(ctx context.Context, id *Identity) string {
	if id == nil {
		return ""
	}
	return s.Sign(ctx, "csrf", string(sessionKey(id.Session)))
}

// sessionKey is a sign-in's id as 8 big-endian bytes, the message its CSRF
// tokens sign (so tokens already handed out stay valid).
func sessionKey(sid uint64) []byte { return binary.BigEndian.AppendUint64(nil, sid) }

// AdminUser is a user as administrators see them.
type AdminUser struct {
	PublicUser
	Disabled         bool      `json:"disabled"`
	CanCreateCourses bool      `json:"can_create_courses"`
	CreatedAt        time.Time `json:"created_at"`
}

// Admin returns the user as administrators see them.
func (u User) Admin() AdminUser {
	return AdminUser{PublicUser: u.Public(), Disabled: u.Disabled, CanCreateCourses: u.CanCreateCourses, CreatedAt: u.CreatedAt}
}

// Users lists every account (administrators only).
func (s *Service) Users(ctx context.Context) ([]AdminUser, error) {
	var out []AdminUser
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		users, err := s.store.Users(ctx)
		out = out[:0]
		for _, u := range users {
			out = append(out, u.Admin())
		}
		return err
	})
	return out, errs.Wrap(err, "list users")
}
