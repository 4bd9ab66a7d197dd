package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/timetext"
	"pacer/txn"
)

// state is a learner's stored place on the escalation ladder in one
// course. Only the job writes it, and only when something changes: the
// flags themselves are recomputed from stored data at every run and every
// view, so reasons and risk never go stale.
type state struct {
	// Flags are the flags at the last run, Since when the current flagged
	// stretch began.
	Flags []string   `json:"flags,omitempty"`
	Since *time.Time `json:"since,omitempty"`
	// Nudged are the flags of this stretch the learner was nudged about;
	// NudgedAt is the last automatic nudge, kept across stretches so the
	// cooldown holds even when flags flicker.
	Nudged   []string   `json:"nudged,omitempty"`
	NudgedAt *time.Time `json:"nudged_at,omitempty"`
	// Escalated are the flags staff were told about in this stretch.
	Escalated   []string   `json:"escalated,omitempty"`
	EscalatedAt *time.Time `json:"escalated_at,omitempty"`
}

// sameState reports whether two states would be stored alike, so that the
// job writes only what changed.
func sameState(a, b state) bool {
	sameTime := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return slices.Equal(a.Flags, b.Flags) && slices.Equal(a.Nudged, b.Nudged) && slices.Equal(a.Escalated, b.Escalated) &&
		sameTime(a.Since, b.Since) && sameTime(a.NudgedAt, b.NudgedAt) && sameTime(a.EscalatedAt, b.EscalatedAt)
}

// empty reports whether the state remembers nothing worth storing.
func (st state) empty(cooldown time.Duration, now time.Time) bool {
	return len(st.Flags) == 0 && (st.NudgedAt == nil || now.Sub(*st.NudgedAt) >= cooldown)
}

// Ladder actions, as bits: one run may both escalate the flags a learner
// was nudged about and nudge them about a new one.
const (
	actNone  = 0
	actNudge = 1 << iota
	actEscalate
)

// step moves a learner along the ladder at now, given the flags they carry:
//
//  1. When the flags clear, the stretch ends: the learner starts again at
//     the bottom (only the time of the last nudge is kept, for the
//     cooldown).
//  2. A flag the learner was not yet nudged about is new: they get one
//     nudge naming all their flags, unless they were nudged less than a
//     cooldown ago (then the nudge waits until the cooldown has passed, if
//     the flag still holds).
//  3. A flag they were nudged about that still holds a cooldown after that
//     nudge (a second period) is escalated once: the learner goes into the
//     course's staff digest.
//
// It is a pure function of the stored state, the flags and now, so running
// the job twice at one instant changes nothing the second time, and after
// downtime one run finds what time has made true: one nudge, not one per
// missed tick.
func step(prev state, flags []string, cooldown time.Duration, now time.Time) (state, int) {
	next := prev
	next.Flags = flags
	if len(flags) == 0 {
		next.Since, next.Nudged, next.Escalated, next.EscalatedAt = nil, nil, nil, nil
		return next, actNone
	}
	if next.Since == nil || len(prev.Flags) == 0 {
		at := now
		next.Since = &at
	}
	next.Nudged = intersect(prev.Nudged, flags)
	next.Escalated = intersect(prev.Escalated, flags)
	if len(next.Escalated) == 0 {
		next.EscalatedAt = nil
	}
	act := actNone
	// A second period of at least a second, so that a double run at one
	// instant never nudges and escalates the same flag.
	period := max(cooldown, time.Second)
	if len(next.Nudged) > 0 && !subset(next.Nudged, next.Escalated) && next.NudgedAt != nil && now.Sub(*next.NudgedAt) >= period {
		at := now
		next.Escalated, next.EscalatedAt = union(next.Escalated, next.Nudged), &at
		act |= actEscalate
	}
	if !subset(flags, next.Nudged) && (next.NudgedAt == nil || now.Sub(*next.NudgedAt) >= cooldown) {
		at := now
		next.Nudged, next.NudgedAt = slices.Clone(flags), &at
		act |= actNudge
	}
	return next, act
}

// union keeps a's order and adds b's missing flags.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// change is one learner whose stored state the run rewrites.
type change struct {
	user   uint64
	next   state
	delete bool
	act    int
	// after is the learner's last nudge before this run (zero: none): a
	// nudge, and an escalation of it, are told once per nudge they
	// follow, whichever replica's run tells them.
	after time.Time
}

// courseRun is the outcome of the read phase for one course.
type courseRun struct {
	cv      *courseView
	changes []change
}

// FlagInactive is the flag_inactive job. It judges every student of every
// published course at now in one read pass, then writes only what changed:
// ladder records, nudges, and one digest per course for its staff. It
// reports how many learner records changed; a second run at the same
// instant reports 0. Buffered activity is written first, so a learner
// active a moment ago is not flagged.
func (s *Service) FlagInactive(ctx context.Context, now time.Time) (int, error) {
	s.run.Lock()
	defer s.run.Unlock()
	now = now.UTC()
	if err := s.tracker.Flush(ctx); err != nil {
		s.log.Error("flag_inactive: could not write buffered activity first", "err", err)
	}
	var runs []courseRun
	var sw courseSweep
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		return s.courses.EachCourse(ctx, func(c modules.Course) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			// An archived course is finished: nobody is judged or nudged.
			if !c.Published || c.Archived {
				return nil
			}
			r, err := s.judgeCourse(ctx, c, now, &sw)
			if err != nil {
				return err
			}
			if len(r.changes) > 0 {
				runs = append(runs, r)
			}
			return nil
		})
	})
	if err != nil {
		return 0, errs.Wrap(err, "flag_inactive: read")
	}
	changed := 0
	for _, r := range runs {
		n, err := s.applyCourse(ctx, r, now)
		changed += n
		if err != nil {
			return changed, errs.Wrap(err, "flag_inactive: write")
		}
	}
	return changed, nil
}

// judgeCourse runs the rules and the ladder for every student of a course
// and returns the learners whose state changes. It reads the course in one
// walk per bucket (courseSweep) and builds each learner's facts as the
// views do (cv.facts), so a learner is judged alike everywhere.
func (s *Service) judgeCourse(ctx context.Context, c modules.Course, now time.Time, sw *courseSweep) (courseRun, error) {
	cv, err := s.loadCourse(ctx, c)
	if err != nil {
		return courseRun{}, err
	}
	r := courseRun{cv: cv}
	if err := sw.read(ctx, s.courses, s.store, cv, now); err != nil {
		return r, err
	}
	var (
		sc   scratch
		a    Assessment
		prev state
		buf  stateBuf
	)
	for i := range sw.students {
		m, f := sw.facts(cv, i, now, &sc)
		assessInto(&a, f, now, false)
		had := sw.had[i]
		prev = state{}
		if had {
			if err := decodeState(sw.state[i], &prev, &buf); err != nil {
				return r, err
			}
		}
		next, act := step(prev, a.Flags, cv.cooldown, now)
		if next.empty(cv.cooldown, now) {
			if had {
				r.changes = append(r.changes, change{user: m.UserID, delete: true})
			}
			continue
		}
		if had && sameState(prev, next) {
			continue
		}
		// next may share a's flags and prev's times, which are reused
		// for the next learner.
		var after time.Time
		if prev.NudgedAt != nil {
			after = *prev.NudgedAt
		}
		r.changes = append(r.changes, change{user: m.UserID, next: next.own(), act: act, after: after})
	}
	for _, user := range sw.gone {
		r.changes = append(r.changes, change{user: user, delete: true})
	}
	return r, nil
}

// applyCourse writes one course's changes: plain ladder updates and
// nudges in chunks, then every escalation together with the course's one
// staff digest in a single transaction, so that staff are told once.
func (s *Service) applyCourse(ctx context.Context, r courseRun, now time.Time) (int, error) {
	var plain, esc []change
	for _, ch := range r.changes {
		if ch.act&actEscalate != 0 {
			esc = append(esc, ch)
		} else {
			plain = append(plain, ch)
		}
	}
	changed := 0
	for start := 0; start < len(plain); start += s.chunk {
		if err := ctx.Err(); err != nil {
			return changed, err
		}
		part := plain[start:min(start+s.chunk, len(plain))]
		err := s.tx.Write(ctx, func(ctx context.Context) error {
			for _, ch := range part {
				if err := s.putState(ctx, r.cv.course.ID, ch); err != nil {
					return err
				}
				if ch.act&actNudge != 0 {
					if err := s.nudge(ctx, r.cv, ch, now); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
		changed += len(part)
	}
	if len(esc) == 0 {
		return changed, nil
	}
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		for _, ch := range esc {
			if err := s.putState(ctx, r.cv.course.ID, ch); err != nil {
				return err
			}
			if ch.act&actNudge != 0 {
				if err := s.nudge(ctx, r.cv, ch, now); err != nil {
					return err
				}
			}
		}
		return s.digest(ctx, r.cv, esc, now)
	})
	if err != nil {
		return changed, err
	}
	return changed + len(esc), nil
}

func (s *Service) putState(ctx context.Context, course uint64, ch change) error {
	if ch.delete {
		return s.store.DeleteState(ctx, course, ch.user)
	}
	raw, err := json.Marshal(ch.next)
	if err != nil {
		return err
	}
	return s.store.PutState(ctx, course, ch.user, raw)
}

// Next is a learner's concrete next step in a course: the first item not
// done in the first open module, with that module's due time; or, when
// nothing is open, the next module to open.
type Next struct {
	ItemID      uint64     `json:"item_id,omitempty"`
	ItemTitle   string     `json:"item_title,omitempty"`
	ModuleID    uint64     `json:"module_id"`
	ModuleTitle string     `json:"module_title"`
	DueAt       *time.Time `json:"due_at"`
	OpensAt     *time.Time `json:"opens_at,omitempty"`
	Link        string     `json:"link"`
}

// nextStep finds the learner's next step, or nil when everything visible
// is done.
func nextStep(l *modules.Learner) *Next {
	for _, m := range l.Modules {
		if m.State != modules.StateOpen {
			continue
		}
		for _, it := range m.Items {
			if it.Status != modules.StatusCompleted {
				return &Next{ItemID: it.ID, ItemTitle: it.Title, ModuleID: m.ID, ModuleTitle: m.Title,
					DueAt: m.DueAt, Link: itemLink(l.Course.ID, it.ID)}
			}
		}
	}
	for _, m := range l.Modules {
		if m.State == modules.StateLocked && m.OpensAt != nil && l.Now.Before(*m.OpensAt) {
			return &Next{ModuleID: m.ID, ModuleTitle: m.Title, DueAt: m.DueAt, OpensAt: m.OpensAt,
				Link: courseLink(l.Course.ID)}
		}
	}
	return nil
}

// Phrase says the next step in words for a reader, with times in their
// zone and the course's beside where it differs (timetext.ForReader):
// `“Reading 2” in Week 3, due Mon 18 Jan 2027, 00:00 CET`, or `Week 4
// opens …` when nothing is open.
func (n *Next) Phrase(reader, course *time.Location) string {
	if n == nil {
		return ""
	}
	if n.ItemID == 0 {
		return n.ModuleTitle + " opens " + timetext.ForReader(*n.OpensAt, reader, course)
	}
	s := "“" + n.ItemTitle + "” in " + n.ModuleTitle
	if n.DueAt != nil {
		s += ", due " + timetext.ForReader(*n.DueAt, reader, course)
	}
	return s
}

// Sentence is Phrase as a sentence for notifications ("Next: ….").
func (n *Next) Sentence(reader, course *time.Location) string {
	if n == nil {
		return ""
	}
	return "Next: " + n.Phrase(reader, course) + "."
}

// BehindPhrase is how far behind a learner is: "1 week behind" when every
// module behind belongs to a week, "2 modules behind" otherwise.
func BehindPhrase(behind []ModuleFacts) string {
	weeks := map[int]bool{}
	for _, m := range behind {
		if m.Week <= 0 {
			return plural(len(behind), "module", "modules") + " behind"
		}
		weeks[m.Week] = true
	}
	return plural(len(weeks), "week", "weeks") + " behind"
}

func titles(ms []ModuleFacts) string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Title)
	}
	return strings.Join(out, ", ")
}

// judgeOne assesses one learner again inside a write transaction, with
// reasons, for the text of a nudge or a digest.
func (s *Service) judgeOne(ctx context.Context, cv *courseView, m modules.Member, now time.Time) (Facts, Assessment, error) {
	var sc scratch
	f, err := s.facts(ctx, cv, m, now, HistoryDays, nil, &sc)
	if err != nil {
		return f, Assessment{}, err
	}
	return f, Assess(f, now), nil
}

// nudge sends one automatic nudge with the learner's next step.
func (s *Service) nudge(ctx context.Context, cv *courseView, ch change, now time.Time) error {
	user := ch.user
	m, err := s.courses.Member(ctx, cv.course.ID, user)
	if errors.Is(err, txn.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	f, a, err := s.judgeOne(ctx, cv, m, now)
	if err != nil {
		return err
	}
	done, err := s.doneItems(ctx, cv.course.ID, user)
	if err != nil {
		return err
	}
	next := nextFromFacts(cv, f.Modules, done, now)
	loc := cv.course.Location()
	n := notify.Notification{UserID: user, CourseID: cv.course.ID, Link: courseLink(cv.course.ID), CreatedAt: now,
		Cause: nudgeCause(cv.course.ID, user, ch.after, m.LastActiveAt)}
	if next != nil {
		n.Link = next.Link
	}
	var body strings.Builder
	switch {
	case a.Has(FlagStruggling) && !a.Has(FlagBehind) && !a.Has(FlagMissed):
		// Stuck on a quiz: the nudge names it and offers what the
		// learner got wrong, explained, to read before the next try.
		st := f.Struggles[0]
		n.Kind = notify.KindBehindNudge
		n.Title = "Stuck on “" + st.Title + "”? Here is what to read again"
		n.Link = fmt.Sprintf("/courses/%d/items/%d", cv.course.ID, st.ItemID)
		body.WriteString("You " + st.Reason + ": “" + st.Title + "”.")
		if s.quizzes != nil {
			expl, err := s.quizzes.MissedExplanations(ctx, st.Last)
			if err != nil {
				return err
			}
			if len(expl) > 0 {
				body.WriteString(" On the questions you missed in your last attempt:")
				for _, e := range expl {
					body.WriteString("\n- " + e)
				}
			}
		}
		body.WriteString("\nRead them, then try again when you are ready.")
		next = nil // the quiz is the step
	case a.Has(FlagBehind) || a.Has(FlagMissed):
		n.Kind = notify.KindBehindNudge
		n.Title = "You are " + BehindPhrase(a.Behind) + " in " + cv.course.Title
		verb := " is"
		if len(a.Behind) > 1 {
			verb = " are"
		}
		body.WriteString(titles(a.Behind) + verb + " past due.")
		if len(a.Missed) > 0 {
			body.WriteString(" The deadline of " + titles(a.Missed) +
				" has passed; ask your instructor if you need an extension.")
		}
		if a.Has(FlagInactive) {
			body.WriteString(" You have not been active for " + Ago(a.IdleFor) + ".")
		}
	default:
		n.Kind = notify.KindInactiveNudge
		if m.LastActiveAt == nil {
			n.Title = "You have not started " + cv.course.Title + " yet"
			body.WriteString("It is " + Ago(a.IdleFor) + " since you could begin.")
		} else {
			n.Title = "Your last visit to " + cv.course.Title + " was " + Ago(a.IdleFor) + " ago"
			body.WriteString("Pick up where you left off.")
		}
	}
	if s := next.Sentence(s.readerZone(ctx, user), loc); s != "" {
		body.WriteString(" " + s)
	}
	n.Body = body.String()
	_, err = s.notify.Add(ctx, n)
	return err
}

// nudgeCause names a nudge so that it is told once, whichever replica's
// run tells it: by the nudge it follows, and for a learner's first nudge
// (or the first since their record was cleared) by their last activity,
// which a new stretch of inactivity or of falling behind follows.
func nudgeCause(course, user uint64, after time.Time, active *time.Time) string {
	last := int64(0)
	if active != nil {
		last = active.UnixNano()
	}
	return fmt.Sprintf("nudge:%d:%d:%d:%d", course, user, unixNano(after), last)
}

// unixNano is t in nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// maxDigestLines bounds the learners a digest names one by one.
const maxDigestLines = 30

// digest tells each staff member of a course, in one notification, who
// was escalated in this run and why (reasons as they stand now).
func (s *Service) digest(ctx context.Context, cv *courseView, esc []change, now time.Time) error {
	if len(cv.staff) == 0 {
		return nil
	}
	var lines []string
	n := 0
	for _, ch := range esc {
		m, err := s.courses.Member(ctx, cv.course.ID, ch.user)
		if err != nil {
			continue // left the course since the read pass
		}
		n++
		if n > maxDigestLines {
			continue
		}
		name := "A learner"
		if u, err := s.auth.User(ctx, ch.user); err == nil {
			name = u.Name
		}
		_, a, err := s.judgeOne(ctx, cv, m, now)
		if err != nil {
			return err
		}
		lines = append(lines, name+": "+strings.Join(a.Reasons, "; "))
	}
	if n == 0 {
		return nil
	}
	if n > maxDigestLines {
		lines = append(lines, fmt.Sprintf("…and %d more.", n-maxDigestLines))
	}
	title := fmt.Sprintf("%d learners in %s need attention", n, cv.course.Title)
	if n == 1 {
		title = fmt.Sprintf("1 learner in %s needs attention", cv.course.Title)
	}
	body := "Still flagged a while after their nudge:\n" + strings.Join(lines, "\n")
	// A digest tells of these learners' nudges: the same escalations are
	// told once, whichever replica's run tells them.
	told := make([]string, 0, len(esc))
	for _, ch := range esc {
		told = append(told, fmt.Sprintf("%d@%d", ch.user, unixNano(ch.after)))
	}
	slices.Sort(told)
	sum := sha256.Sum256([]byte(strings.Join(told, ",")))
	for _, staff := range cv.staff {
		_, err := s.notify.Add(ctx, notify.Notification{UserID: staff, CourseID: cv.course.ID, CreatedAt: now,
			Kind: notify.KindStaffDigest, Title: title, Body: body, Link: AtRiskLink(cv.course.ID),
			Cause: fmt.Sprintf("%s:%d:%d:%x", notify.KindStaffDigest, cv.course.ID, staff, sum[:12])})
		if err != nil {
			return err
		}
	}
	return nil
}
