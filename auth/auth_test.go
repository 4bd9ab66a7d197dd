package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pacer/pacertest"
	"pacer/server"
)

func TestRegistrationValidatesInput(t *testing.T) {
	env := pacertest.New(t)
	env.Register("Ann")
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"a short password is refused", map[string]any{"email": "b@example.test", "password": "short", "name": "B"}, 400, "validation_failed", "password"},
		{"a 129-character password is refused", map[string]any{"email": "b@example.test", "password": strings.Repeat("p", 129), "name": "B"}, 400, "validation_failed", "password"},
		{"an address without @ is refused", map[string]any{"email": "nobody", "password": "long enough pw", "name": "B"}, 400, "validation_failed", "email"},
		{"a missing name is refused", map[string]any{"email": "b@example.test", "password": "long enough pw"}, 400, "validation_failed", "name"},
		{"a huge name is refused", map[string]any{"email": "b@example.test", "password": "long enough pw", "name": strings.Repeat("n", 10000)}, 400, "validation_failed", "name"},
		{"an unknown field is refused", map[string]any{"email": "b@example.test", "password": "long enough pw", "name": "B", "is_admin": true}, 400, "bad_request", "is_admin"},
		{"malformed JSON is refused", `{"email": "b@example.test",`, 400, "bad_request", ""},
		{"a JSON array is refused", `[1,2]`, 400, "bad_request", ""},
		{"a wrong type is refused", map[string]any{"email": 5, "password": "long enough pw", "name": "B"}, 400, "bad_request", "email"},
		{"two objects are refused", `{"email":"b@example.test","password":"long enough pw","name":"B"}{}`, 400, "bad_request", ""},
		{"an empty body is refused", "", 400, "bad_request", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do("POST", "/api/v1/auth/register", "", tc.body)
			if r.Status != tc.status || r.ErrCode() != tc.code {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
			if tc.field != "" {
				var e struct {
					Error struct{ Fields map[string]string } `json:"error"`
				}
				r.Decode(&e)
				if e.Error.Fields[tc.field] == "" {
					t.Fatalf("field %s not named in %s", tc.field, r.Body)
				}
			}
		})
	}
}

func TestADuplicateEmailIsAConflictWhateverItsCase(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	r := env.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": strings.ToUpper(u.Email), "password": "long enough pw", "name": "Other"})
	if r.Status != 409 || r.ErrCode() != "conflict" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

func TestLoginAnswersTheSameForUnknownEmailAndWrongPassword(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	wrong := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "not the password"})
	unknown := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": "ghost@example.test", "password": "not the password"})
	if wrong.Status != 401 || unknown.Status != 401 || string(wrong.Body) != string(unknown.Body) {
		t.Fatalf("wrong password: %d %s; unknown e-mail: %d %s", wrong.Status, wrong.Body, unknown.Status, unknown.Body)
	}
	ok := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": strings.ToUpper(u.Email), "password": "correct horse battery"})
	if ok.Status != 200 {
		t.Fatalf("login with upper-case e-mail: %d %s", ok.Status, ok.Body)
	}
	m := ok.Map()
	if m["access_token"] == "" || m["refresh_token"] == "" || m["expires_at"] == nil {
		t.Fatalf("login answer lacks tokens: %s", ok.Body)
	}
}

func TestMeShowsAndChangesTheAccount(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	r := env.Do("GET", "/api/v1/me", u.Token, nil)
	m := r.Map()
	if r.Status != 200 || m["email"] != u.Email || m["name"] != "Ann" || m["is_admin"] != false || m["timezone"] != "UTC" {
		t.Fatalf("me = %s", r.Body)
	}
	if strings.Contains(string(r.Body), "password") {
		t.Fatal("me leaks the password hash")
	}
	r = env.Do("PATCH", "/api/v1/me", u.Token, map[string]any{"name": "Ann B", "timezone": "Europe/Berlin"})
	if r.Status != 200 || r.Map()["timezone"] != "Europe/Berlin" || r.Map()["name"] != "Ann B" {
		t.Fatalf("patch = %d %s", r.Status, r.Body)
	}
	for name, body := range map[string]any{
		"a bad time zone":                map[string]any{"timezone": "Mars/Olympus"},
		"a password without the current": map[string]any{"password": "new password 1"},
		"a wrong current password":       map[string]any{"password": "new password 1", "current_password": "nope nope"},
		"setting is_admin":               map[string]any{"is_admin": true},
	} {
		if r := env.Do("PATCH", "/api/v1/me", u.Token, body); r.Status != 400 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if r := env.Do("GET", "/api/v1/me", "", nil); r.Status != 401 || r.ErrCode() != "unauthenticated" {
		t.Fatalf("me without a token: %d %s", r.Status, r.Body)
	}
}

func TestAPasswordChangeEndsEveryOldToken(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	other := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "correct horse battery"}).Map()
	r := env.Do("PATCH", "/api/v1/me", u.Token, map[string]any{"password": "a brand new secret", "current_password": "correct horse battery"})
	if r.Status != 200 {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	for _, tok := range []string{u.Token, other["access_token"].(string)} {
		if r := env.Do("GET", "/api/v1/me", tok, nil); r.Status != 401 {
			t.Fatalf("old access token still works: %d", r.Status)
		}
	}
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Refresh}); r.Status != 401 {
		t.Fatalf("old refresh token still works: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "a brand new secret"}); r.Status != 200 {
		t.Fatalf("new password refused: %d", r.Status)
	}
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	r1 := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Refresh})
	if r1.Status != 200 {
		t.Fatalf("refresh: %d %s", r1.Status, r1.Body)
	}
	next := r1.Map()
	if next["refresh_token"] == u.Refresh {
		t.Fatal("refresh token was not rotated")
	}
	if r := env.Do("GET", "/api/v1/me", next["access_token"].(string), nil); r.Status != 200 {
		t.Fatalf("new access token refused: %d", r.Status)
	}
	// Replaying the first token is theft: it fails and revokes the family.
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Refresh}); r.Status != 401 {
		t.Fatalf("reused refresh token: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": next["refresh_token"]}); r.Status != 401 {
		t.Fatalf("the family's newest refresh token still works after reuse: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/me", next["access_token"].(string), nil); r.Status != 401 {
		t.Fatalf("the family's access token still works after reuse: %d", r.Status)
	}
	for _, bad := range []any{map[string]any{"refresh_token": ""}, map[string]any{"refresh_token": "nonsense"}, map[string]any{}} {
		if r := env.Do("POST", "/api/v1/auth/refresh", "", bad); r.Status != 400 && r.Status != 401 {
			t.Fatalf("bad refresh %v: %d", bad, r.Status)
		}
	}
}

func TestLogoutEndsTheAccessTokenAtOnce(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	if r := env.Do("POST", "/api/v1/auth/logout", u.Token, map[string]any{"refresh_token": u.Refresh}); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/me", u.Token, nil); r.Status != 401 {
		t.Fatalf("access token after logout: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Refresh}); r.Status != 401 {
		t.Fatalf("refresh token after logout: %d", r.Status)
	}
}

func TestAnAccessTokenExpires(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	env.Clock.Advance(15*time.Minute + time.Second)
	if r := env.Do("GET", "/api/v1/me", u.Token, nil); r.Status != 401 {
		t.Fatalf("expired token: %d", r.Status)
	}
}

func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestForgedTokensAreRefused(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	parts := strings.Split(u.Token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	now := env.Clock.Now()
	good := jwt.MapClaims{"iss": "pacer", "aud": []string{"pacer-api"}, "sub": "1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "sid": 1, "gen": 1}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for a, b := range good {
			c[a] = b
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	secret := []byte("test-secret-test-secret-test-secret-0123456789")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	tokens := map[string]string{
		"alg none":                none,
		"signed with another key": forge(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another-key!!"), good),
		"signed with HS512":       forge(t, jwt.SigningMethodHS512, secret, good),
		"wrong issuer":            forge(t, jwt.SigningMethodHS256, secret, with("iss", "evil")),
		"wrong audience":          forge(t, jwt.SigningMethodHS256, secret, with("aud", "other")),
		"no expiry":               forge(t, jwt.SigningMethodHS256, secret, with("exp", nil)),
		"expired":                 forge(t, jwt.SigningMethodHS256, secret, with("exp", now.Add(-time.Second).Unix())),
		"not yet valid":           forge(t, jwt.SigningMethodHS256, secret, with("nbf", now.Add(time.Hour).Unix())),
		"tampered payload":        parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"sub":"1"`, `"sub":"2"`, 1))) + "." + parts[2],
		"a refresh token":         u.Refresh,
		"garbage":                 "not.a.token",
		// Over maxTokenLen yet within the server's header limit; larger
		// headers get 431 before any handler (server/conns_test.go).
		"twelve thousand dots": strings.Repeat(".", 12000),
	}
	// The well-formed forgery is accepted when signed with the real key, so
	// the refusals above are about what each one changes.
	if r := env.Do("GET", "/api/v1/me", forge(t, jwt.SigningMethodHS256, secret, good), nil); r.Status != 200 {
		t.Fatalf("control token refused: %d %s", r.Status, r.Body)
	}
	for name, tok := range tokens {
		t.Run(name, func(t *testing.T) {
			if r := env.Do("GET", "/api/v1/me", tok, nil); r.Status != 401 || r.ErrCode() != "unauthenticated" {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		})
	}
	if r := env.DoHeaders("GET", "/api/v1/me", "", nil, map[string]string{"Authorization": "Basic abc"}); r.Status != 401 {
		t.Fatalf("basic auth: %d", r.Status)
	}
}

func TestADisabledAccountIsShutOutAtOnce(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	if _, err := env.Server.Auth.SetDisabled(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := env.Do("GET", "/api/v1/me", u.Token, nil); r.Status != 401 {
		t.Fatalf("disabled user's token: %d", r.Status)
	}
	if r := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "correct horse battery"}); r.Status != 401 {
		t.Fatalf("disabled user's login: %d", r.Status)
	}
}

func TestLoginAndRegistrationAreRateLimitedPerIP(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.AuthRate = 3 })
	for i := 0; i < 3; i++ {
		if r := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": "x@example.test", "password": "whatever pw"}); r.Status != 401 {
			t.Fatalf("attempt %d: %d", i, r.Status)
		}
	}
	r := env.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": "y@example.test", "password": "whatever pw", "name": "Y"})
	if r.Status != 429 || r.ErrCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth attempt: %d %s retry-after=%q", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	env.Clock.Advance(time.Minute)
	if r := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": "x@example.test", "password": "whatever pw"}); r.Status != 401 {
		t.Fatalf("after the window: %d", r.Status)
	}
}

// TestTheJWTMatrixIsRefused is the whole matrix of bad access tokens in one
// table: each is refused with 401 unauthenticated, in the Authorization
// header and in the page session's cookie alike, and quickly (no token makes
// the server do expensive work). Each case gets its own user, so revoking
// one changes nothing for the others.
func TestTheJWTMatrixIsRefused(t *testing.T) {
	env := pacertest.New(t)
	secret := []byte("test-secret-test-secret-test-secret-0123456789")
	rsa := rsaKey(t)
	pemPub := []byte("-----BEGIN PUBLIC KEY-----\n" + base64.StdEncoding.EncodeToString(rsa.PublicKey.N.Bytes()) + "\n-----END PUBLIC KEY-----\n")
	// claims are those of a real token of u (sid and gen included), so a
	// forgery differs from an accepted token only in what its case changes.
	claims := func(u pacertest.User) jwt.MapClaims {
		parts := strings.Split(u.Token, ".")
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var c jwt.MapClaims
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	with := func(c jwt.MapClaims, k string, v any) jwt.MapClaims {
		out := jwt.MapClaims{}
		for a, b := range c {
			out[a] = b
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	now := env.Clock.Now()
	cases := []struct {
		name  string
		token func(u pacertest.User) string
	}{
		{"alg none", func(u pacertest.User) string {
			p := strings.Split(u.Token, ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + p[1] + "."
		}},
		{"alg NONE with the real signature", func(u pacertest.User) string {
			p := strings.Split(u.Token, ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"NONE","typ":"JWT"}`)) + "." + p[1] + "." + p[2]
		}},
		{"HS512 with the real key", func(u pacertest.User) string { return forge(t, jwt.SigningMethodHS512, secret, claims(u)) }},
		{"HS384 with the real key", func(u pacertest.User) string { return forge(t, jwt.SigningMethodHS384, secret, claims(u)) }},
		{"RS256 with an attacker's key", func(u pacertest.User) string { return forge(t, jwt.SigningMethodRS256, rsa, claims(u)) }},
		{"HS256 keyed with a public key (alg confusion)", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, pemPub, claims(u))
		}},
		{"HS256 with a wrong key", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another-key!!"), claims(u))
		}},
		{"an empty signature", func(u pacertest.User) string { return u.Token[:strings.LastIndex(u.Token, ".")+1] }},
		{"expired", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "exp", now.Add(-time.Second).Unix()))
		}},
		{"nbf in the future", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "nbf", now.Add(time.Hour).Unix()))
		}},
		{"iat in the future", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "iat", now.Add(time.Hour).Unix()))
		}},
		{"wrong iss", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "iss", "evil"))
		}},
		{"no iss", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "iss", nil))
		}},
		{"wrong aud", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "aud", []string{"other-app"}))
		}},
		{"no aud", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "aud", nil))
		}},
		{"missing exp", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "exp", nil))
		}},
		{"another user's sub", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "sub", "999999"))
		}},
		{"no sub", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "sub", nil))
		}},
		{"no sid", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "sid", nil))
		}},
		{"a stale gen", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "gen", claims(u)["gen"].(float64)-1))
		}},
		{"the refresh token used as an access token", func(u pacertest.User) string { return u.Refresh }},
		{"a token after logout", func(u pacertest.User) string {
			if r := env.Do("POST", "/api/v1/auth/logout", u.Token, map[string]any{"refresh_token": u.Refresh}); r.Status != 204 {
				t.Fatalf("logout: %d %s", r.Status, r.Body)
			}
			return u.Token
		}},
		{"a token after a password change", func(u pacertest.User) string {
			r := env.Do("PATCH", "/api/v1/me", u.Token, map[string]any{"password": "a brand new secret", "current_password": "correct horse battery"})
			if r.Status != 200 {
				t.Fatalf("change password: %d %s", r.Status, r.Body)
			}
			return u.Token
		}},
		{"a token after the account was disabled", func(u pacertest.User) string {
			if _, err := env.Server.Auth.SetDisabled(context.Background(), u.ID, true); err != nil {
				t.Fatal(err)
			}
			return u.Token
		}},
		{"a real token after its life", func(u pacertest.User) string {
			// Later cases register their own users, whose tokens start
			// their life at the moved clock.
			env.Clock.Advance(15*time.Minute + time.Second)
			return u.Token
		}},
		// The largest tokens that fit the server's header limit; larger
		// headers get 431 before any handler (server/conns_test.go).
		{"twelve thousand dots", func(pacertest.User) string { return strings.Repeat(".", 12000) }},
		{"a huge well-formed token", func(u pacertest.User) string {
			return forge(t, jwt.SigningMethodHS256, secret, with(claims(u), "pad", strings.Repeat("x", 9000)))
		}},
		{"garbage", func(pacertest.User) string { return "not.a.token" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := env.With(t)
			u := env.Register("Jay")
			// The control: this user's real token works before the case.
			if r := env.Do("GET", "/api/v1/me", u.Token, nil); r.Status != 200 {
				t.Fatalf("control: %d %s", r.Status, r.Body)
			}
			tok := tc.token(u)
			start := time.Now()
			r := env.Do("GET", "/api/v1/me", tok, nil)
			if took := time.Since(start); took > time.Second {
				t.Errorf("refusing took %v", took)
			}
			if r.Status != 401 || r.ErrCode() != "unauthenticated" {
				t.Fatalf("Authorization header: %d %s", r.Status, r.Body)
			}
			if len(tok) < 8000 {
				// Cookies are bounded by the browser; a bad session cookie
				// leaves the request anonymous.
				r = env.DoHeaders("GET", "/api/v1/me", "", nil, map[string]string{"Cookie": "pacer_access=" + tok})
				if r.Status != 401 || r.ErrCode() != "unauthenticated" {
					t.Fatalf("session cookie: %d %s", r.Status, r.Body)
				}
			}
		})
	}
	// An access token is no refresh token either.
	u := env.Register("Kim")
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Token}); r.Status != 401 {
		t.Fatalf("access token used as a refresh token: %d %s", r.Status, r.Body)
	}
}
