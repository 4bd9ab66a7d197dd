package durability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"syscall"
	"time"

	"pacer/demo"
)

// Client is a small JSON client of the Pacer API.
type Client struct {
	Base string
	HTTP *http.Client
}

// NewClient returns a client of base with a connection pool big enough for
// every writer to keep its own connection alive.
func NewClient(base string) *Client {
	return &Client{Base: base, HTTP: &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute},
	}}
}

// Own returns a client of the same server with a pool of its own: each
// writer keeps its own kept-alive connection, as each user's browser does,
// instead of taking whichever idle connection a shared pool offers.
func (c *Client) Own() *Client { return NewClient(c.Base) }

// Close drops the client's idle connections (to a server that is gone).
func (c *Client) Close() { c.HTTP.CloseIdleConnections() }

// Response is an answer read whole.
type Response struct {
	Status int
	Body   []byte
	// RetryAfter is the Retry-After header of a 429, when set.
	RetryAfter time.Duration
}

// Do sends a request; body is JSON-encoded unless it is a []byte (sent as
// contentType). An error means no complete answer was read.
func (c *Client) Do(method, path, token string, body any, contentType string) (Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return Response{}, err
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{Status: res.StatusCode}, fmt.Errorf("read the answer: %w", err)
	}
	return Response{Status: res.StatusCode, Body: raw}, nil
}

// JSON sends a JSON request, wants the status want and decodes the answer
// into out (when not nil).
func (c *Client) JSON(want int, method, path, token string, body, out any) error {
	res, err := c.Do(method, path, token, body, "")
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.Status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", method, path, res.Status, want, res.Body)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// Send sends one request (body JSON-encoded when not nil) and reads the
// whole answer. When no complete answer comes, the error says when the
// request had been completely written (if it was) and on what connection,
// so that an unanswered request can be placed before or after a signal;
// any status is an answer.
func (c *Client) Send(method, path, token string, body any) (Response, *TransportError) {
	var wrote time.Time
	var reused bool
	var mu sync.Mutex
	fail := func(err error) *TransportError {
		mu.Lock()
		defer mu.Unlock()
		return &TransportError{Op: method + " " + path, Err: err.Error(), Refused: isRefused(err), Reused: reused,
			Wrote: wrote, At: time.Now()}
	}
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return Response{}, fail(err)
		}
		rd = bytes.NewReader(raw)
	}
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			mu.Lock()
			reused = info.Reused
			mu.Unlock()
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				mu.Lock()
				wrote = time.Now()
				mu.Unlock()
			}
		},
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), method, c.Base+path, rd)
	if err != nil {
		return Response{}, fail(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, fail(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, fail(fmt.Errorf("status %d, body cut short: %w", res.StatusCode, err))
	}
	out := Response{Status: res.StatusCode, Body: data}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		out.RetryAfter = time.Duration(s) * time.Second
	}
	return out, nil
}

// Password is every account's password in these suites.
const Password = "durability test password"

// Login signs in and returns an access token.
func (c *Client) Login(email string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := c.JSON(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": Password}, &out)
	return out.AccessToken, err
}

func (c *Client) register(email, name string) (uint64, string, error) {
	var out struct {
		User struct {
			ID uint64 `json:"id"`
		} `json:"user"`
		AccessToken string `json:"access_token"`
	}
	err := c.JSON(201, "POST", "/api/v1/auth/register", "",
		map[string]string{"email": email, "password": Password, "name": name}, &out)
	return out.User.ID, out.AccessToken, err
}

// Course is the course every suite writes to: one module whose week is open
// now, an assignment, a lecture of the demo video, and one thread in the
// general board.
type Course struct {
	ID, Module, Assignment, Lecture, Thread uint64
	// LectureSeconds is the lecture's duration.
	LectureSeconds int
	Instructor     Account
	Students       []Account
}

// Account is a user with a current access token.
type Account struct {
	ID    uint64
	Email string
	Token string
}

type idOnly struct {
	ID uint64 `json:"id"`
}

// Setup registers an instructor and students through the API (argon2 at
// OWASP cost: ~50–100 ms each, so keep students few), builds the course and
// enrols the students.
func Setup(c *Client, students int) (*Course, error) {
	co := &Course{}
	var err error
	co.Instructor.Email = "instructor@durability.test"
	if co.Instructor.ID, co.Instructor.Token, err = c.register(co.Instructor.Email, "Instructor"); err != nil {
		return nil, err
	}
	ins := co.Instructor.Token
	// Week 1 began yesterday, so the module is open and due in six days.
	starts := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	var course idOnly
	if err := c.JSON(201, "POST", "/api/v1/courses", ins, map[string]any{"title": "Durability", "published": true,
		"starts_at": starts.Format(time.RFC3339), "timezone": "UTC"}, &course); err != nil {
		return nil, err
	}
	co.ID = course.ID
	var module idOnly
	if err := c.JSON(201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", co.ID), ins,
		map[string]any{"title": "Week 1", "week": 1}, &module); err != nil {
		return nil, err
	}
	co.Module = module.ID
	video, _ := demo.Lecture()
	res, err := c.Do("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=l.mp4", co.ID), ins, video, "video/mp4")
	if err != nil || res.Status != 201 {
		return nil, fmt.Errorf("upload the lecture: %d %v %.300s", res.Status, err, res.Body)
	}
	var media struct {
		ID       uint64 `json:"id"`
		Duration *int   `json:"duration_seconds"`
	}
	if err := json.Unmarshal(res.Body, &media); err != nil || media.Duration == nil || *media.Duration < 2 {
		return nil, fmt.Errorf("the lecture upload: %s (%v)", res.Body, err)
	}
	co.LectureSeconds = *media.Duration
	items := fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", co.ID, co.Module)
	var asg, lec idOnly
	if err := c.JSON(201, "POST", items, ins, map[string]any{"kind": "assignment", "title": "Exercise",
		"body": "Write your answer.", "points": 10}, &asg); err != nil {
		return nil, err
	}
	if err := c.JSON(201, "POST", items, ins, map[string]any{"kind": "lecture", "title": "Lecture",
		"media_id": media.ID}, &lec); err != nil {
		return nil, err
	}
	co.Assignment, co.Lecture = asg.ID, lec.ID
	var boards struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	if err := c.JSON(200, "GET", fmt.Sprintf("/api/v1/courses/%d/boards", co.ID), ins, nil, &boards); err != nil {
		return nil, err
	}
	var general uint64
	for _, b := range boards.Items {
		if b.Kind == "general" {
			general = b.ID
		}
	}
	if general == 0 {
		return nil, fmt.Errorf("the course has no general board: %+v", boards.Items)
	}
	var thread idOnly
	if err := c.JSON(201, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", general), ins,
		map[string]any{"title": "Durability", "body": "Replies go here."}, &thread); err != nil {
		return nil, err
	}
	co.Thread = thread.ID

	// Two registrations at a time: the server hashes on as many goroutines
	// as it has CPUs.
	co.Students = make([]Account, students)
	var wg sync.WaitGroup
	errc := make(chan error, students)
	sem := make(chan struct{}, 2)
	for i := range co.Students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			a := Account{Email: fmt.Sprintf("student%d@durability.test", i)}
			var err error
			if a.ID, a.Token, err = c.register(a.Email, fmt.Sprintf("Student %d", i)); err == nil {
				err = c.JSON(201, "POST", fmt.Sprintf("/api/v1/courses/%d/enroll", co.ID), a.Token, map[string]any{}, nil)
			}
			co.Students[i] = a
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return nil, err
		}
	}
	return co, nil
}

// Relogin gives every account of the course a fresh token (after a restore
// into a data directory with a new signing key).
func (c *Client) Relogin(co *Course) error {
	var err error
	if co.Instructor.Token, err = c.Login(co.Instructor.Email); err != nil {
		return err
	}
	for i := range co.Students {
		if co.Students[i].Token, err = c.Login(co.Students[i].Email); err != nil {
			return err
		}
	}
	return nil
}

// isRefused reports whether a transport error means the server was not
// listening (the request never reached it). The dial's error wraps the
// system's ECONNREFUSED, which is matched as such, not by its text.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
