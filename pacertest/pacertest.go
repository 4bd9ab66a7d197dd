// Package pacertest runs the whole application for tests: a real bbolt file
// in a temporary directory (or, with PACER_TEST_STORE=postgres, a fresh
// database in a throwaway PostgreSQL cluster: package pgtest; with
// PACER_TEST_MEDIA=s3, media files in a bucket of an S3 server running in
// the test process: package s3test), cheap
// argon2 parameters, a pinned clock the test moves by hand, and helpers
// that send requests through app.Test and decode the answers. It is
// imported only by tests.
package pacertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pacer/auth"
	"pacer/media/s3blobs/s3test"
	"pacer/server"
	"pacer/storage"
	"pacer/storage/postgres/pgtest"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the pinned instant.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set pins the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Start is where every test clock starts: a Monday morning in 2027.
var Start = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

// Env is one running application.
type Env struct {
	T      testing.TB
	Server *server.Server
	Clock  *Clock
	Dir    string
	// S3 is the S3 server holding the media files under MediaPrefix when
	// the application keeps them in a bucket (NewS3, PACER_TEST_MEDIA=s3);
	// nil when they are in Dir.
	S3 *s3test.Server
	n  *atomic.Int64
	// admin is shared by the copies With makes.
	admin **User
}

// With returns the same application reporting to another test: a subtest or
// a fuzz target must fail through its own t.
func (e *Env) With(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Cheap are argon2 parameters fit for tests only.
var Cheap = auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// MediaPrefix is where in the bucket an application of NewS3 keeps its
// media files.
const MediaPrefix = "media"

// New starts an application in a temporary directory. modify may change the
// configuration before it starts. With PACER_TEST_MEDIA=s3 it is NewS3,
// unless the test chose where media live.
func New(t testing.TB, modify ...func(*server.Config)) *Env {
	t.Helper()
	return start(t, os.Getenv("PACER_TEST_MEDIA") == "s3", modify)
}

// NewS3 is New with the media files in a bucket of an S3 server started
// for the test (Env.S3).
func NewS3(t testing.TB, modify ...func(*server.Config)) *Env {
	t.Helper()
	return start(t, true, modify)
}

func start(t testing.TB, s3 bool, modify []func(*server.Config)) *Env {
	t.Helper()
	clock := &Clock{t: Start}
	dir := t.TempDir()
	// Jobs are run by tests directly with a chosen time; a day-long tick
	// keeps the real scheduler from firing in the middle of a test.
	cfg := server.Config{DataDir: dir, Argon2: Cheap, Now: clock.Now, BaseURL: "http://pacer.test", Tick: 24 * time.Hour,
		JWTSecret: "test-secret-test-secret-test-secret-0123456789"}
	for _, m := range modify {
		m(&cfg)
	}
	var bucket *s3test.Server
	if s3 && cfg.Media == "" {
		bucket = s3test.Start(t)
		cfg.Media = bucket.URL(MediaPrefix)
	}
	if cfg.Store == "" && pgtest.Engine() == "postgres" {
		// PACER_TEST_STORE=postgres: the same test on a fresh PostgreSQL
		// database (media files stay in dir), unless it chose its store.
		cfg.Store = pgtest.URL(t)
	}
	s, err := server.New(cfg)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return &Env{T: t, Server: s, Clock: clock, Dir: dir, S3: bucket, n: new(atomic.Int64), admin: new(*User)}
}

// Bolt is the bbolt database under the application, for a test that
// inspects or damages the engine's own records; on the PostgreSQL engine
// (PACER_TEST_STORE=postgres) it skips the test, whose point is bbolt's.
func (e *Env) Bolt() *storage.DB {
	e.T.Helper()
	if e.Server.DB == nil {
		e.T.Skip("inspects the bbolt engine's records; this run is on PostgreSQL")
	}
	return e.Server.DB
}

// User is a signed-in test user.
type User struct {
	ID      uint64
	Email   string
	Name    string
	Token   string
	Refresh string
}

// Register creates and signs in a user whose name starts with name.
func (e *Env) Register(name string) User {
	e.T.Helper()
	email := fmt.Sprintf("%s%d@example.test", strings.ToLower(strings.ReplaceAll(name, " ", ".")), e.n.Add(1))
	r := e.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": email, "password": "correct horse battery", "name": name})
	if r.Status != 201 {
		e.T.Fatalf("register %s: %d %s", name, r.Status, r.Body)
	}
	var t struct {
		User         auth.PublicUser `json:"user"`
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
	}
	r.Decode(&t)
	return User{ID: t.User.ID, Email: email, Name: name, Token: t.AccessToken, Refresh: t.RefreshToken}
}

// Login signs u in again (after the clock moved past the token's life) and
// returns u with fresh tokens.
func (e *Env) Login(u User) User {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "correct horse battery"})
	if r.Status != 200 {
		e.T.Fatalf("login %s: %d %s", u.Email, r.Status, r.Body)
	}
	var t struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	r.Decode(&t)
	u.Token, u.Refresh = t.AccessToken, t.RefreshToken
	return u
}

// Admin creates an administrator and signs them in.
func (e *Env) Admin() User {
	e.T.Helper()
	email := fmt.Sprintf("admin%d@example.test", e.n.Add(1))
	if _, err := e.Server.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Password: "correct horse battery", Name: "Admin"}, true); err != nil {
		e.T.Fatalf("create admin: %v", err)
	}
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "correct horse battery"})
	var t struct {
		User         auth.PublicUser `json:"user"`
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
	}
	r.Decode(&t)
	return User{ID: t.User.ID, Email: email, Name: "Admin", Token: t.AccessToken, Refresh: t.RefreshToken}
}

// Resp is a decoded answer.
type Resp struct {
	T      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the JSON body into v.
func (r Resp) Decode(v any) {
	r.T.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.T.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Map returns the body as a JSON object.
func (r Resp) Map() map[string]any {
	r.T.Helper()
	var m map[string]any
	r.Decode(&m)
	return m
}

// ID returns the body's "id" field.
func (r Resp) ID() uint64 {
	r.T.Helper()
	var v struct {
		ID uint64 `json:"id"`
	}
	r.Decode(&v)
	if v.ID == 0 {
		r.T.Fatalf("no id in %d %s", r.Status, r.Body)
	}
	return v.ID
}

// ErrCode returns error.code of a contract error body, or "" if the body is
// not in the contract's shape.
func (r Resp) ErrCode() string {
	var v struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body, &v) != nil || v.Error.Message == "" {
		return ""
	}
	return v.Error.Code
}

// Do sends a request through app.Test. body may be nil, a string or []byte
// (sent as is) or any value (sent as JSON).
func (e *Env) Do(method, path, token string, body any) Resp {
	e.T.Helper()
	return e.DoHeaders(method, path, token, body, nil)
}

// DoHeaders is Do with extra headers.
func (e *Env) DoHeaders(method, path, token string, body any, headers map[string]string) Resp {
	e.T.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	// A request that takes ten seconds is a hang, not a slow answer.
	res, err := e.Server.App.Test(req, 10000)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := Resp{T: e.T, Status: res.StatusCode, Header: res.Header, Body: raw}
	if r.Status >= 400 && r.ErrCode() == "" && method != "HEAD" {
		e.T.Errorf("%s %s: %d answer not in the contract's error shape: %q", method, path, r.Status, raw)
	}
	// A 503 is the answer while the store is unreachable (readyz, and
	// every request meanwhile), not a failure of the server.
	if r.Status >= 500 && !(r.Status == 503 && r.ErrCode() == "unavailable") {
		e.T.Errorf("%s %s: server error %d %s", method, path, r.Status, raw)
	}
	return r
}

// Course creates a course as the given instructor and returns its id.
func (e *Env) Course(instructor User, fields map[string]any) uint64 {
	e.T.Helper()
	body := map[string]any{"title": "Test course", "published": true}
	for k, v := range fields {
		body[k] = v
	}
	r := e.Do("POST", "/api/v1/courses", instructor.Token, body)
	if r.Status != 201 {
		e.T.Fatalf("create course: %d %s", r.Status, r.Body)
	}
	return r.ID()
}

// Enroll makes u a student of course.
func (e *Env) Enroll(u User, course uint64) {
	e.T.Helper()
	r := e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), u.Token, map[string]any{})
	if r.Status != 201 {
		e.T.Fatalf("enroll: %d %s", r.Status, r.Body)
	}
}

// Module creates a module and returns its id.
func (e *Env) Module(instructor User, course uint64, fields map[string]any) uint64 {
	e.T.Helper()
	body := map[string]any{"title": "Module"}
	for k, v := range fields {
		body[k] = v
	}
	r := e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/modules", course), instructor.Token, body)
	if r.Status != 201 {
		e.T.Fatalf("create module: %d %s", r.Status, r.Body)
	}
	return r.ID()
}

// Item creates an item and returns its id.
func (e *Env) Item(instructor User, course, module uint64, fields map[string]any) uint64 {
	e.T.Helper()
	body := map[string]any{"kind": "page", "title": "Page", "body": "Hello"}
	for k, v := range fields {
		body[k] = v
	}
	r := e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", course, module), instructor.Token, body)
	if r.Status != 201 {
		e.T.Fatalf("create item: %d %s", r.Status, r.Body)
	}
	return r.ID()
}

// SetRole gives user a role in course. The instructor changes the role of
// a member; anyone else is added by an administrator, the one caller the
// contract lets add people without their accepting an invitation (Invite
// goes the invitee's way), so that a fixture sends no invitation mail.
func (e *Env) SetRole(instructor User, course uint64, user User, role string) {
	e.T.Helper()
	path := fmt.Sprintf("/api/v1/courses/%d/members/%d", course, user.ID)
	r := e.Do("PUT", path, instructor.Token, map[string]any{"role": role})
	if r.Status == 404 {
		r = e.Do("PUT", path, e.siteAdmin().Token, map[string]any{"role": role})
	}
	if r.Status != 200 {
		e.T.Fatalf("set role: %d %s", r.Status, r.Body)
	}
}

// siteAdmin is the administrator of the fixtures, created on first use and
// signed in afresh each time, since tests move the clock past tokens' life.
func (e *Env) siteAdmin() User {
	e.T.Helper()
	if *e.admin == nil {
		a := e.Admin()
		*e.admin = &a
		return a
	}
	return e.Login(**e.admin)
}

// Invite invites user to course in a role and has them accept.
func (e *Env) Invite(instructor User, course uint64, user User, role string) {
	e.T.Helper()
	r := e.Do("POST", fmt.Sprintf("/api/v1/courses/%d/invitations", course), instructor.Token,
		map[string]any{"email": user.Email, "role": role})
	if r.Status != 201 {
		e.T.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	r = e.Do("POST", fmt.Sprintf("/api/v1/invitations/%d/accept", r.ID()), user.Token, nil)
	if r.Status != 201 {
		e.T.Fatalf("accept invitation: %d %s", r.Status, r.Body)
	}
}

// Listen serves e's server on a real loopback listener until the test ends
// and returns its address (host:port), for tests that need a real
// connection: streamed bodies, timeouts, TLS, the connection caps.
func (e *Env) Listen(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Server.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}
