package deadlines

import (
	"context"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"pacer/auth"
	"pacer/calendar"
	"pacer/errs"
	"pacer/oneline"
	"pacer/timetext"
)

// The calendar feed is reached through a secret URL. Its token is not
// stored: it is "<user>.<generation>.<signature>", signed with the server
// key, and only the generation is stored (CalendarTokens). Rotating bumps
// the generation, which invalidates every earlier URL at once while the
// current one can be shown again at any time.
const feedPurpose = "calendar-feed"

func (s *Service) feedToken(ctx context.Context, user, gen uint64) string {
	msg := itoa(user) + "." + itoa(gen)
	return msg + "." + s.signer.Sign(ctx, feedPurpose, msg)
}

func (s *Service) feedURL(ctx context.Context, user, gen uint64) string {
	return s.baseURL + "/calendar/" + s.feedToken(ctx, user, gen) + ".ics"
}

// CalendarURL returns the caller's current secret feed URL.
func (s *Service) CalendarURL(ctx context.Context, caller uint64) (string, error) {
	var url string
	gen, err := s.store.CalendarGeneration(ctx, caller)
	if err == nil {
		url = s.feedURL(ctx, caller, gen)
	}
	return url, errs.Wrap(err, "calendar url")
}

// RotateCalendar makes a new secret feed URL; the old one stops working.
func (s *Service) RotateCalendar(ctx context.Context, caller uint64) (string, error) {
	var url string
	gen, err := s.store.RotateCalendar(ctx, caller)
	if err == nil {
		url = s.feedURL(ctx, caller, gen)
	}
	return url, errs.Wrap(err, "rotate calendar")
}

// RetireCalendar retires the user's feed URL in the transaction ctx
// carries (auth.Service.OnPasswordChanged: a password change).
func (s *Service) RetireCalendar(ctx context.Context, user uint64) error {
	_, err := s.store.RotateCalendar(ctx, user)
	return err
}

// feedUser resolves a token to its user, or 404 for anything that is not a
// current token of an active account (forged, rotated, malformed).
func (s *Service) feedUser(ctx context.Context, token string) (auth.User, error) {
	notFound := errs.NotFoundf("calendar")
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 200 {
		return auth.User{}, notFound
	}
	user, err1 := strconv.ParseUint(parts[0], 10, 64)
	gen, err2 := strconv.ParseUint(parts[1], 10, 64)
	if err1 != nil || err2 != nil || user == 0 || itoa(user) != parts[0] || itoa(gen) != parts[1] {
		return auth.User{}, notFound
	}
	if !s.signer.CheckSignature(ctx, feedPurpose, parts[0]+"."+parts[1], parts[2]) {
		return auth.User{}, notFound
	}
	if cur, err := s.store.CalendarGeneration(ctx, user); err != nil {
		return auth.User{}, err
	} else if cur != gen {
		return auth.User{}, notFound
	}
	u, err := s.auth.User(ctx, user)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return u, notFound
		}
		return u, err
	}
	if u.Disabled {
		return u, notFound
	}
	return u, nil
}

// Event kinds of the feed (EventKey.Kind).
const (
	eventOpens = 1
	eventDue   = 2
)

// feedEvent is one event of a feed before it is serialised.
type feedEvent struct {
	key      EventKey
	uid      string
	at       time.Time
	summary  string
	desc     string
	link     string
	seq      uint64
	modified time.Time
}

// settle gives ev its sequence from the stored state (ok says there is
// one) and reports whether the state must be written: a new event starts
// at 0, one whose instant moved goes up by one. Calendar apps only replace
// an event they already have when its SEQUENCE grows, so it grows each time
// the instant moves (a new week, an extension, an edited date).
func (ev *feedEvent) settle(st EventState, ok bool, now time.Time) (EventState, bool) {
	changed := true
	switch {
	case !ok:
		st = EventState{At: ev.at, Sequence: 0, Modified: now}
	case !st.At.Equal(ev.at):
		st = EventState{At: ev.at, Sequence: st.Sequence + 1, Modified: now}
	default:
		changed = false
	}
	ev.seq, ev.modified = st.Sequence, time.Unix(0, st.Modified.UnixNano()).UTC()
	return st, changed
}

// feedEvents lists the events of a user's feed: for each course they study,
// when each module opens for them and when it is due (extensions applied);
// for each scheduled course they teach, the course's own dates.
func (s *Service) feedEvents(ctx context.Context, user uint64) ([]feedEvent, error) {
	ms, err := s.memberships(ctx, user)
	if err != nil {
		return nil, err
	}
	var out []feedEvent
	reader := s.readerZone(ctx, user)
	add := func(m membership, mod uint64, title string, kind uint64, at time.Time, desc string) {
		name, word := "open", " opens"
		if kind == eventDue {
			name, word = "due", " is due"
		}
		out = append(out, feedEvent{
			key:     EventKey{Course: m.Course.ID, Module: mod, Kind: uint8(kind)},
			uid:     name + "-" + itoa(m.Course.ID) + "-" + itoa(mod) + "-" + itoa(user) + "@pacer",
			at:      at.UTC(),
			summary: m.Course.Title + ": " + title + word,
			desc:    desc,
			link:    s.baseURL + moduleLink(m.Course.ID, mod),
		})
	}
	for _, m := range ms {
		times := m.Course.Times()
		loc := m.Course.Location()
		formatTime := func(t time.Time, loc *time.Location) string { return timetext.ForReader(t, reader, loc) }
		if m.Learner != nil {
			for i := range m.Learner.Modules {
				v := &m.Learner.Modules[i]
				if v.OpensAt != nil {
					add(m, v.ID, v.Title, eventOpens, *v.OpensAt, v.Title+" opens on "+formatTime(*v.OpensAt, loc)+".")
				}
				if v.DueAt != nil {
					cut := learnerWindow(v).Cutoff(times)
					desc := v.Title + " is due on " + formatTime(*v.DueAt, loc) + "."
					if v.Extended {
						desc += " This is your extended due time."
					}
					if !cut.Equal(*v.DueAt) {
						desc += " Work is accepted until " + formatTime(*cut, loc) + "."
					}
					add(m, v.ID, v.Title, eventDue, *v.DueAt, desc)
				}
			}
			continue
		}
		// Staff see the course's dates where they are the same for
		// everyone: scheduled courses with a start.
		if times.SelfPaced() || times.StartsAt == nil {
			continue
		}
		mods, err := s.courses.Modules(ctx, m.Course.ID)
		if err != nil {
			return nil, err
		}
		for _, mod := range mods {
			if !mod.Published {
				continue
			}
			w := calendar.LearnerWindow(times, mod.Times(), m.Member.EnrolledAt, nil)
			if w.OpensAt != nil {
				add(m, mod.ID, mod.Title, eventOpens, *w.OpensAt, mod.Title+" opens on "+formatTime(*w.OpensAt, loc)+".")
			}
			if w.DueAt != nil {
				add(m, mod.ID, mod.Title, eventDue, *w.DueAt, mod.Title+" is due on "+formatTime(*w.DueAt, loc)+".")
			}
		}
	}
	return out, nil
}

// Feed renders a user's iCalendar feed for a secret token. Times are in UTC
// (no VTIMEZONE needed), UIDs are stable per learner, module and kind, and
// SEQUENCE grows whenever an event's time moves. The first read after a
// change records the new state in one short write transaction.
func (s *Service) Feed(ctx context.Context, token string) (string, error) {
	now := s.clock()
	var user auth.User
	var events []feedEvent
	var stale bool
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		if user, err = s.feedUser(ctx, token); err != nil {
			return err
		}
		if events, err = s.feedEvents(ctx, user.ID); err != nil {
			return err
		}
		states, err := s.store.EventStates(ctx, user.ID)
		if err != nil {
			return err
		}
		for i := range events {
			st, ok := states[events[i].key]
			if _, changed := events[i].settle(st, ok, now); changed {
				stale = true
			}
		}
		return nil
	})
	if err != nil {
		return "", errs.Wrap(err, "calendar feed")
	}
	if stale {
		// Settle again inside the write: a concurrent read of the same feed
		// may have recorded the change already, and must not bump it twice.
		err = s.tx.Write(ctx, func(ctx context.Context) error {
			states, err := s.store.EventStates(ctx, user.ID)
			if err != nil {
				return err
			}
			changes := map[EventKey]EventState{}
			for i := range events {
				st, ok := states[events[i].key]
				if st, changed := events[i].settle(st, ok, now); changed {
					changes[events[i].key] = st
				}
			}
			return s.store.PutEventStates(ctx, user.ID, changes)
		})
		if err != nil {
			return "", errs.Wrap(err, "calendar feed state")
		}
	}
	cal := ics.NewCalendarFor("Pacer")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName(oneline.Clean("Pacer: " + user.Name))
	cal.SetXWRCalDesc("Module openings and due times")
	cal.SetXPublishedTTL("PT1H")
	// REFRESH-INTERVAL must carry VALUE=DURATION exactly once (RFC 7986).
	// golang-ical's SetRefreshInterval writes it as part of the property
	// name, and any parameter given to it repeats it; so the property is
	// built here.
	cal.CalendarProperties = append(cal.CalendarProperties, ics.CalendarProperty{BaseProperty: ics.BaseProperty{
		IANAToken: "REFRESH-INTERVAL", ICalParameters: map[string][]string{"VALUE": {"DURATION"}}, Value: "PT1H"}})
	for _, ev := range events {
		e := cal.AddEvent(ev.uid)
		e.SetDtStampTime(now)
		e.SetSequence(int(ev.seq))
		e.SetLastModifiedAt(ev.modified)
		e.SetStartAt(ev.at)
		// Titles stored before control characters were refused must not
		// reach calendar apps: the library escapes only \, ;, , and LF.
		e.SetSummary(oneline.Clean(ev.summary))
		e.SetDescription(oneline.Clean(ev.desc))
		e.SetURL(ev.link)
		// A deadline is a moment, not a meeting: it must not make the
		// learner look busy.
		e.SetTimeTransparency(ics.TransparencyTransparent)
	}
	// RFC 5545 lines end in CRLF; golang-ical's default on Unix is a bare
	// LF. It folds lines at 75 octets, never inside a UTF-8 sequence.
	return cal.Serialize(ics.WithNewLineWindows), nil
}
