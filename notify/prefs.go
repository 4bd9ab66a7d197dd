package notify

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"pacer/errs"
	"pacer/page"
)

// Signer signs and checks purpose-bound messages with the server key
// (auth.Service does). Unsubscribe links are signed with it, so that they
// work without signing in and cannot be forged for someone else.
type Signer interface {
	Sign(ctx context.Context, purpose, msg string) string
	CheckSignature(ctx context.Context, purpose, msg, sig string) bool
}

// unsubscribePurpose binds unsubscribe signatures to this one use.
const unsubscribePurpose = "unsubscribe"

// emailDefaults says which kinds are e-mailed to someone who never chose.
// Messages meant to bring a person back (nudges, instructor messages, staff
// digests, deadlines) are on; events that are news only inside the app
// (a module opened, an endorsement) are off. A kind missing here is off.
var emailDefaults = map[string]bool{
	KindInstructorMessage: true,
	KindInactiveNudge:     true,
	KindBehindNudge:       true,
	KindStaffDigest:       true,
	KindReply:             true,
	KindMention:           true,
	KindAnswer:            true,
	KindDeadlineSoon:      true,
	KindDeadlineMissed:    true,
	KindGraded:            true,
	KindExtensionGranted:  true,
	KindInvitation:        true,
	KindAnnouncement:      true,
}

// emailLabels name each kind on the preferences page and in unsubscribe
// confirmations. A kind missing here is shown by its subject prefix.
var emailLabels = map[string]string{
	KindInstructorMessage: "Messages from your instructors",
	KindInactiveNudge:     "Reminders when you have been away from a course",
	KindBehindNudge:       "Reminders when you fall behind",
	KindStaffDigest:       "Digests of learners who need attention (staff)",
	KindReply:             "Replies in threads you follow (sent together)",
	KindMention:           "Mentions of you (sent together)",
	KindAnswer:            "Answers to your questions (sent together)",
	KindEndorsed:          "Endorsements of your posts (sent together)",
	KindDeadlineSoon:      "Deadlines coming up",
	KindDeadlineMissed:    "Missed deadlines",
	KindGraded:            "Graded work",
	KindExtensionGranted:  "Extensions granted to you",
	KindModuleOpened:      "Modules opening",
	KindInvitation:        "Invitations to join a course",
	KindSubmitted:         "Work handed in to grade (staff)",
	KindAnnouncement:      "Announcements in your courses",
}

// prefOrder is the order of the preferences page: messages from people
// first, then reminders about one's own work, then discussion, then the
// rest. Kinds not listed come last, alphabetically.
var prefOrder = []string{KindInvitation, KindAnnouncement, KindInstructorMessage, KindInactiveNudge, KindBehindNudge, KindDeadlineSoon,
	KindDeadlineMissed, KindExtensionGranted, KindGraded, KindReply, KindMention, KindAnswer, KindEndorsed,
	KindModuleOpened, KindSubmitted, KindStaffDigest}

func prefRank(kind string) int {
	for i, k := range prefOrder {
		if k == kind {
			return i
		}
	}
	return len(prefOrder)
}

// Label is how a kind of e-mail is named to people.
func Label(kind string) string {
	if l, ok := emailLabels[kind]; ok {
		return l
	}
	if p, ok := kinds[kind]; ok {
		return p
	}
	return kind
}

// Prefs are one user's e-mail choices. Only choices the user made are
// stored, so a kind added later gets its default rather than an accidental
// "off".
type Prefs struct {
	Chosen    map[string]bool `json:"chosen"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Wants reports whether the user wants e-mail of a kind.
func (p Prefs) Wants(kind string) bool {
	if on, ok := p.Chosen[kind]; ok {
		return on
	}
	return emailDefaults[kind]
}

// setPrefs applies choices to a user's stored preferences, in the
// transaction ctx carries.
func (o *Outbox) setPrefs(ctx context.Context, user uint64, choices map[string]bool, now time.Time) (Prefs, error) {
	p, err := o.store.Prefs(ctx, user)
	if err != nil {
		return p, err
	}
	if p.Chosen == nil {
		p.Chosen = map[string]bool{}
	}
	for k, on := range choices {
		p.Chosen[k] = on
	}
	p.UpdatedAt = now
	return p, o.store.SetPrefs(ctx, user, p)
}

// PrefItem is one line of the preferences answer.
type PrefItem struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Email bool   `json:"email"`
}

// PrefsView is the answer of GET /api/v1/me/email-preferences.
type PrefsView struct {
	Items []PrefItem `json:"items"`
	// Sending is false when the server has no --smtp-url: choices are kept,
	// but no e-mail leaves the outbox.
	Sending bool `json:"sending"`
}

func (o *Outbox) view(p Prefs) PrefsView {
	v := PrefsView{Items: []PrefItem{}, Sending: o.sender != nil}
	for _, k := range Kinds() {
		v.Items = append(v.Items, PrefItem{Kind: k, Label: Label(k), Email: p.Wants(k)})
	}
	sort.SliceStable(v.Items, func(i, j int) bool { return prefRank(v.Items[i].Kind) < prefRank(v.Items[j].Kind) })
	return v
}

// Preferences returns a user's e-mail preferences for every kind.
func (o *Outbox) Preferences(user uint64) (PrefsView, error) {
	p, err := o.store.Prefs(context.Background(), user)
	return o.view(p), errs.Wrap(err, "read e-mail preferences")
}

// SetPreferences changes some of a user's choices; every key must be a
// known kind.
func (o *Outbox) SetPreferences(user uint64, choices map[string]bool) (PrefsView, error) {
	fields := map[string]string{}
	for k := range choices {
		if !ValidKind(k) {
			fields[k] = "is not a kind of notification"
		}
	}
	if len(choices) == 0 {
		return PrefsView{}, errs.BadRequest("give at least one kind, e.g. {\"reply\": false}")
	}
	if len(fields) > 0 {
		return PrefsView{}, errs.Validation(fields)
	}
	var p Prefs
	now := o.now().UTC()
	err := o.tx.Write(context.Background(), func(ctx context.Context) error {
		var err error
		p, err = o.setPrefs(ctx, user, choices, now)
		return err
	})
	return o.view(p), errs.Wrap(err, "set e-mail preferences")
}

// unsubscribeMessage is what an unsubscribe link signs: the user and the
// kinds, in a canonical order, so the same link is always the same text.
func unsubscribeMessage(user uint64, kinds []string) string {
	return strconv.FormatUint(user, 10) + ":" + strings.Join(kinds, ",")
}

// UnsubscribeURL is the signed link that turns off e-mail of the given
// kinds for user ("all" turns off every kind).
func (o *Outbox) UnsubscribeURL(user uint64, kinds ...string) string {
	ks := append([]string(nil), kinds...)
	sort.Strings(ks)
	q := url.Values{}
	q.Set("u", strconv.FormatUint(user, 10))
	q.Set("k", strings.Join(ks, ","))
	q.Set("sig", o.signer.Sign(context.Background(), unsubscribePurpose, unsubscribeMessage(user, ks)))
	return o.baseURL + "/unsubscribe?" + q.Encode()
}

// parseUnsubscribe checks an unsubscribe link's parameters. A bad or
// forged link is 404: it names nothing this server knows.
func (o *Outbox) parseUnsubscribe(u, k, sig string) (uint64, []string, error) {
	user, err := page.ParseID(u)
	if err != nil || k == "" || sig == "" || len(k) > 1000 {
		return 0, nil, errs.NotFoundf("unsubscribe link")
	}
	ks := strings.Split(k, ",")
	if !sort.StringsAreSorted(ks) || !o.signer.CheckSignature(context.Background(), unsubscribePurpose, unsubscribeMessage(user, ks), sig) {
		return 0, nil, errs.NotFoundf("unsubscribe link")
	}
	var out []string
	for _, kind := range ks {
		if kind == "all" {
			return user, Kinds(), nil
		}
		if ValidKind(kind) {
			out = append(out, kind)
		}
	}
	if len(out) == 0 {
		return 0, nil, errs.NotFoundf("unsubscribe link")
	}
	return user, out, nil
}

// Unsubscribe turns e-mail of the link's kinds off (on=false) or back on,
// for the user the link was signed for, and returns that user and the
// kinds. It needs no sign-in: the signature is the authority. The page at
// /unsubscribe (frontend) calls it for GET (the link in a mail), and for
// POST (RFC 8058 one-click, and the page's "undo" button).
func (o *Outbox) Unsubscribe(u, k, sig string, on bool) (uint64, []string, error) {
	user, ks, err := o.parseUnsubscribe(u, k, sig)
	if err != nil {
		return 0, nil, err
	}
	choices := map[string]bool{}
	for _, kind := range ks {
		choices[kind] = on
	}
	now := o.now().UTC()
	err = o.tx.Write(context.Background(), func(ctx context.Context) error {
		if _, err := o.lookup(ctx, user); err != nil {
			return err
		}
		_, err := o.setPrefs(ctx, user, choices, now)
		return err
	})
	return user, ks, errs.Wrap(err, "unsubscribe")
}
