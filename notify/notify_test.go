package notify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/notify"
	"pacer/pacertest"
)

type listAnswer struct {
	Items []struct {
		ID        uint64    `json:"id"`
		Kind      string    `json:"kind"`
		Title     string    `json:"title"`
		Body      string    `json:"body"`
		Link      string    `json:"link"`
		CreatedAt time.Time `json:"created_at"`
		Read      bool      `json:"read"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
	Unread     int    `json:"unread"`
}

func list(t *testing.T, env *pacertest.Env, u pacertest.User, query string) listAnswer {
	t.Helper()
	r := env.Do("GET", "/api/v1/notifications"+query, u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("list %s: %d %s", query, r.Status, r.Body)
	}
	var a listAnswer
	r.Decode(&a)
	return a
}

// add stores n notifications for u, one second apart, and returns their ids
// oldest first.
func add(t *testing.T, env *pacertest.Env, u pacertest.User, n int) []uint64 {
	t.Helper()
	var ids []uint64
	for i := 0; i < n; i++ {
		env.Clock.Advance(time.Second)
		got, err := env.Server.Notify.Add(context.Background(), notify.Notification{UserID: u.ID, Kind: notify.KindGraded,
			Title: fmt.Sprintf("note %d", i), Body: "body", Link: "/courses/1/items/2"})
		if err != nil {
			t.Fatalf("add: %v", err)
		}
		ids = append(ids, got.ID)
	}
	return ids
}

func TestNotificationsListNewestFirstInPages(t *testing.T) {
	env := pacertest.New(t)
	ann := env.Register("Ann")
	bob := env.Register("Bob")
	ids := add(t, env, ann, 5)
	add(t, env, bob, 2)

	t.Run("a first page holds the newest notifications and a cursor", func(t *testing.T) {
		a := list(t, env, ann, "?limit=2")
		if len(a.Items) != 2 || a.Items[0].ID != ids[4] || a.Items[1].ID != ids[3] {
			t.Fatalf("first page = %+v, want ids %d, %d", a.Items, ids[4], ids[3])
		}
		if a.NextCursor == "" || a.Unread != 5 {
			t.Fatalf("cursor %q unread %d, want a cursor and 5 unread", a.NextCursor, a.Unread)
		}
		if a.Items[0].Kind != "graded" || a.Items[0].Link != "/courses/1/items/2" || a.Items[0].Read || a.Items[0].CreatedAt.IsZero() {
			t.Fatalf("item fields = %+v", a.Items[0])
		}
	})
	t.Run("following the cursors walks every notification once and ends with an empty cursor", func(t *testing.T) {
		var seen []uint64
		cursor := ""
		for page := 0; page < 10; page++ {
			q := "?limit=2"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			a := list(t, env, ann, q)
			for _, it := range a.Items {
				seen = append(seen, it.ID)
			}
			cursor = a.NextCursor
			if cursor == "" {
				break
			}
		}
		want := []uint64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("walked %v, want %v", seen, want)
		}
	})
	t.Run("a page that is exactly full has no next cursor", func(t *testing.T) {
		a := list(t, env, ann, "?limit=5")
		if len(a.Items) != 5 || a.NextCursor != "" {
			t.Fatalf("got %d items and cursor %q", len(a.Items), a.NextCursor)
		}
	})
	t.Run("nobody sees another user's notifications", func(t *testing.T) {
		a := list(t, env, bob, "")
		if len(a.Items) != 2 || a.Unread != 2 {
			t.Fatalf("bob sees %d items, %d unread", len(a.Items), a.Unread)
		}
		for _, it := range a.Items {
			for _, id := range ids {
				if it.ID == id {
					t.Fatalf("bob sees ann's notification %d", id)
				}
			}
		}
	})
	t.Run("bad paging input is refused in the contract's shape", func(t *testing.T) {
		for _, q := range []string{"?cursor=abc", "?cursor=0", "?limit=0", "?limit=x"} {
			r := env.Do("GET", "/api/v1/notifications"+q, ann.Token, nil)
			if r.Status != 400 || r.ErrCode() != "validation_failed" {
				t.Errorf("%s: %d %s", q, r.Status, r.Body)
			}
		}
	})
	t.Run("an anonymous caller gets 401", func(t *testing.T) {
		if r := env.Do("GET", "/api/v1/notifications", "", nil); r.Status != 401 {
			t.Fatalf("status %d", r.Status)
		}
		if r := env.Do("POST", "/api/v1/notifications/read", "", map[string]any{"all": true}); r.Status != 401 {
			t.Fatalf("status %d", r.Status)
		}
	})
}

func TestNotificationsMarkRead(t *testing.T) {
	env := pacertest.New(t)
	ann := env.Register("Ann")
	bob := env.Register("Bob")
	ids := add(t, env, ann, 3)
	bobs := add(t, env, bob, 1)

	t.Run("marking some ids read lowers the unread count and flags them", func(t *testing.T) {
		r := env.Do("POST", "/api/v1/notifications/read", ann.Token, map[string]any{"ids": []uint64{ids[0], ids[2]}})
		if r.Status != 204 {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		a := list(t, env, ann, "")
		if a.Unread != 1 {
			t.Fatalf("unread = %d, want 1", a.Unread)
		}
		for _, it := range a.Items {
			if want := it.ID != ids[1]; it.Read != want {
				t.Errorf("notification %d read = %v, want %v", it.ID, it.Read, want)
			}
		}
		if n, err := env.Server.Notify.Unread(context.Background(), ann.ID); err != nil || n != 1 {
			t.Fatalf("Unread = %d, %v", n, err)
		}
	})
	t.Run("marking read twice, unknown ids and another user's ids change nothing", func(t *testing.T) {
		r := env.Do("POST", "/api/v1/notifications/read", ann.Token, map[string]any{"ids": []uint64{ids[0], 999999, bobs[0]}})
		if r.Status != 204 {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		if a := list(t, env, ann, ""); a.Unread != 1 {
			t.Fatalf("ann unread = %d, want 1", a.Unread)
		}
		b := list(t, env, bob, "")
		if b.Unread != 1 || b.Items[0].Read {
			t.Fatalf("bob's notification was marked read by ann: %+v", b)
		}
	})
	t.Run("all: true marks every notification of the caller only", func(t *testing.T) {
		r := env.Do("POST", "/api/v1/notifications/read", ann.Token, map[string]any{"all": true})
		if r.Status != 204 {
			t.Fatalf("read all: %d %s", r.Status, r.Body)
		}
		a := list(t, env, ann, "")
		if a.Unread != 0 {
			t.Fatalf("unread = %d", a.Unread)
		}
		for _, it := range a.Items {
			if !it.Read {
				t.Fatalf("notification %d unread after all", it.ID)
			}
		}
		if b := list(t, env, bob, ""); b.Unread != 1 {
			t.Fatalf("bob unread = %d, want 1", b.Unread)
		}
	})
	t.Run("bad bodies get 400", func(t *testing.T) {
		cases := map[string]any{
			"an empty object":       map[string]any{},
			"an unknown field":      map[string]any{"all": true, "user_id": 2},
			"ids of the wrong type": map[string]any{"ids": "1,2"},
			"malformed JSON":        "{",
			"too many ids":          map[string]any{"ids": make([]uint64, 1001)},
		}
		for name, body := range cases {
			r := env.Do("POST", "/api/v1/notifications/read", ann.Token, body)
			if r.Status != 400 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
	})
}

func TestNotificationsEveryKindDerivesAnEmail(t *testing.T) {
	for _, kind := range notify.Kinds() {
		t.Run(kind+" has a subject, the text and an absolute link", func(t *testing.T) {
			n := notify.Notification{UserID: 1, Kind: kind, Title: "Week 2", Body: "Some words.", Link: "/courses/1/modules/2"}
			subject, text := n.Mail("https://pacer.example/")
			if !strings.Contains(subject, "Week 2") || strings.HasPrefix(subject, ":") || strings.HasPrefix(subject, "Pacer:") {
				t.Errorf("subject %q", subject)
			}
			if !strings.Contains(text, "Some words.") || !strings.Contains(text, "https://pacer.example/courses/1/modules/2") {
				t.Errorf("text %q", text)
			}
		})
	}
	for _, k := range []string{"module_opened", "deadline_soon", "deadline_missed", "inactive_nudge", "behind_nudge",
		"reply", "mention", "answer", "endorsed", "graded", "instructor_message"} {
		if !notify.ValidKind(k) {
			t.Errorf("the contract's kind %s is unknown", k)
		}
	}
}

func TestNotificationsRefuseWhatCannotBeMailed(t *testing.T) {
	env := pacertest.New(t)
	ann := env.Register("Ann")
	cases := map[string]notify.Notification{
		"no user":                {Kind: notify.KindGraded, Title: "x"},
		"an unknown kind":        {UserID: ann.ID, Kind: "gossip", Title: "x"},
		"no title":               {UserID: ann.ID, Kind: notify.KindGraded, Title: "  "},
		"a foreign link":         {UserID: ann.ID, Kind: notify.KindGraded, Title: "x", Link: "https://evil.example/"},
		"a scheme-relative link": {UserID: ann.ID, Kind: notify.KindGraded, Title: "x", Link: "//evil.example/"},
	}
	for name, n := range cases {
		t.Run("a notification with "+name+" is not stored", func(t *testing.T) {
			if _, err := env.Server.Notify.Add(context.Background(), n); !errors.Is(err, notify.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if a := list(t, env, ann, ""); len(a.Items) != 0 {
		t.Fatalf("stored %d invalid notifications", len(a.Items))
	}
}

func TestUpdateUnreadRewritesOnlyAnUnreadNotification(t *testing.T) {
	env := pacertest.New(t)
	ann := env.Register("Ann")
	bob := env.Register("Bob")
	ctx := context.Background()
	svc := env.Server.Notify
	id := add(t, env, ann, 1)[0]
	if ok, err := svc.IsUnread(ctx, ann.ID, id); err != nil || !ok {
		t.Fatalf("a new notification: unread %v, %v", ok, err)
	}
	if ok, _ := svc.IsUnread(ctx, bob.ID, id); ok {
		t.Errorf("Ann's notification is unread for Bob")
	}
	if ok, err := svc.UpdateUnread(ctx, bob.ID, id, "2 new", "b"); err != nil || ok {
		t.Errorf("Bob rewrote Ann's notification: %v, %v", ok, err)
	}
	if ok, err := svc.UpdateUnread(ctx, ann.ID, id, " ", "b"); err != nil || ok {
		t.Errorf("a blank title was stored: %v, %v", ok, err)
	}
	if ok, err := svc.UpdateUnread(ctx, ann.ID, id, "2 new", "b"); err != nil || !ok {
		t.Fatalf("the unread rewrite: %v, %v", ok, err)
	}
	if a := list(t, env, ann, ""); len(a.Items) != 1 || a.Items[0].Title != "2 new" || a.Unread != 1 {
		t.Errorf("after the rewrite: %+v", a)
	}
	if err := svc.MarkRead(ctx, ann.ID, []uint64{id}, false); err != nil {
		t.Fatal(err)
	}
	if ok, err := svc.UpdateUnread(ctx, ann.ID, id, "3 new", "b"); err != nil || ok {
		t.Errorf("a read notification was rewritten: %v, %v", ok, err)
	}
}
