package notify

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"

	mail "github.com/wneessen/go-mail"
)

// compose builds the mail of one notification, or of a user's batch of
// discussion notifications, with a plain-text and an HTML body. Everything a
// person wrote (titles, bodies, names) reaches the HTML part only through
// html/template, so it is escaped there.
func (o *Outbox) compose(user uint64, ns []Notification, dropped int) Email {
	kindSet := map[string]bool{}
	for _, n := range ns {
		kindSet[n.Kind] = true
	}
	var ks []string
	for k := range kindSet {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	m := Email{UserID: user, Kind: ks[0]}
	if len(ks) > 1 {
		m.Kind = "discussion"
	}
	if o.signer != nil {
		m.Unsubscribe = o.UnsubscribeURL(user, ks...)
	}
	prefsURL := o.baseURL + "/notifications/email"

	var text strings.Builder
	if len(ns) == 1 && dropped == 0 {
		subject, body := ns[0].Mail(o.baseURL)
		m.Subject = subject
		text.WriteString(body)
	} else {
		m.Subject = "Pacer: " + batchSummary(ns, dropped)
		text.WriteString(batchSummary(ns, dropped))
		text.WriteString("\n\n")
		for _, n := range ns {
			text.WriteString("* ")
			text.WriteString(kinds[n.Kind])
			text.WriteString(": ")
			text.WriteString(n.Title)
			text.WriteString("\n")
			if n.Body != "" {
				text.WriteString("  ")
				text.WriteString(firstLine(n.Body, 200))
				text.WriteString("\n")
			}
			if n.Link != "" {
				text.WriteString("  ")
				text.WriteString(o.baseURL + n.Link)
				text.WriteString("\n")
			}
		}
		if dropped > 0 {
			fmt.Fprintf(&text, "\n…and %d more in Pacer: %s/notifications\n", dropped, o.baseURL)
		}
	}
	text.WriteString("\n-- \nChoose which e-mails Pacer sends you: ")
	text.WriteString(prefsURL)
	text.WriteString("\n")
	if m.Unsubscribe != "" {
		text.WriteString("Stop e-mails like this one: ")
		text.WriteString(m.Unsubscribe)
		text.WriteString("\n")
	}
	m.Text = text.String()

	d := htmlMail{Heading: m.Subject, Prefs: prefsURL, Unsubscribe: m.Unsubscribe, Dropped: dropped,
		More: o.baseURL + "/notifications"}
	if len(ns) == 1 && dropped == 0 {
		d.Heading = ns[0].Title
	} else {
		d.Heading = batchSummary(ns, dropped)
	}
	for _, n := range ns {
		it := htmlItem{Kind: kinds[n.Kind], Title: n.Title, Body: n.Body}
		if n.Link != "" {
			it.Link = o.baseURL + n.Link
		}
		if len(ns) > 1 || dropped > 0 {
			it.Body = firstLine(n.Body, 200)
		}
		d.Items = append(d.Items, it)
	}
	var h strings.Builder
	if err := mailTmpl.Execute(&h, d); err == nil {
		m.HTML = h.String()
	}
	return m
}

// batchSummary names what a batch holds: "3 replies and 1 mention".
func batchSummary(ns []Notification, dropped int) string {
	counts := map[string]int{}
	for _, n := range ns {
		counts[n.Kind]++
	}
	var parts []string
	for _, k := range []string{KindReply, KindMention, KindAnswer, KindEndorsed} {
		c := counts[k]
		if c == 0 {
			continue
		}
		word := map[string][2]string{KindReply: {"new reply", "new replies"}, KindMention: {"mention", "mentions"},
			KindAnswer: {"answer", "answers"}, KindEndorsed: {"endorsement", "endorsements"}}[k]
		w := word[0]
		if c > 1 {
			w = word[1]
		}
		parts = append(parts, strconv.Itoa(c)+" "+w)
	}
	if len(parts) == 0 {
		parts = append(parts, strconv.Itoa(len(ns))+" notifications")
	}
	s := strings.Join(parts, ", ")
	if i := strings.LastIndex(s, ", "); i >= 0 {
		s = s[:i] + " and " + s[i+2:]
	}
	if dropped > 0 {
		s += fmt.Sprintf(" (and %d more)", dropped)
	}
	return s
}

// firstLine shortens a body to its first line of at most n runes.
func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return string(r)
}

type htmlItem struct {
	Kind, Title, Body, Link string
}

type htmlMail struct {
	Heading     string
	Items       []htmlItem
	Dropped     int
	More        string
	Prefs       string
	Unsubscribe string
}

// mailTmpl is the HTML part. Styles are inline because mail clients drop
// style sheets; the plain-text part says the same.
var mailTmpl = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Heading}}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f3;color:#1d1d1b;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
<h1 style="font-size:20px;margin:0 0 16px">{{.Heading}}</h1>
{{range .Items}}<div style="margin:0 0 16px">
{{if gt (len $.Items) 1}}<p style="margin:0;color:#555;font-size:13px">{{.Kind}}</p><p style="margin:0;font-weight:600">{{.Title}}</p>{{end}}
{{if .Body}}<p style="margin:4px 0;white-space:pre-wrap">{{.Body}}</p>{{end}}
{{if .Link}}<p style="margin:4px 0"><a href="{{.Link}}" style="color:#1a5fb4">Open in Pacer</a></p>{{end}}
</div>{{end}}
{{if .Dropped}}<p><a href="{{.More}}" style="color:#1a5fb4">…and {{.Dropped}} more in Pacer</a></p>{{end}}
<hr style="border:0;border-top:1px solid #ddd;margin:24px 0 12px">
<p style="font-size:12px;color:#555;margin:0"><a href="{{.Prefs}}" style="color:#555">Choose which e-mails Pacer sends you</a>{{if .Unsubscribe}} · <a href="{{.Unsubscribe}}" style="color:#555">Stop e-mails like this one</a>{{end}}</p>
</div></body></html>
`))

// SMTPSender delivers mail with go-mail over the server named by
// --smtp-url. It dials once per message: Pacer sends little mail, and a
// fresh conversation keeps one message's failure from touching another's.
type SMTPSender struct {
	host   string
	opts   []mail.Option
	from   string
	domain string
}

// NewSMTPSender parses an SMTP URL:
//
//	smtp://user:pass@host:port   STARTTLS when the server offers it (port 25 by default)
//	smtps://user:pass@host:port  TLS from the start (port 465 by default)
//
// with optional ?tls=none|opportunistic|mandatory for smtp://. Credentials
// are sent with AUTH PLAIN, which go-mail refuses over an unencrypted
// connection except to localhost. The password never appears in errors.
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error repeats the whole URL, password included.
		return nil, errors.New("--smtp-url is not a URL")
	}
	if u.Hostname() == "" {
		return nil, errors.New("--smtp-url needs a host, e.g. smtp://user:pass@mail.example.org:587")
	}
	s := &SMTPSender{host: u.Hostname(), from: from}
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		s.domain = strings.Trim(from[at+1:], "<> ")
	}
	if s.domain == "" {
		s.domain = "pacer.invalid"
	}
	port := 25
	switch u.Scheme {
	case "smtp":
		policy := mail.TLSOpportunistic
		switch u.Query().Get("tls") {
		case "", "opportunistic":
		case "none":
			policy = mail.NoTLS
		case "mandatory":
			policy = mail.TLSMandatory
		default:
			return nil, errors.New("--smtp-url: tls must be none, opportunistic or mandatory")
		}
		s.opts = append(s.opts, mail.WithTLSPolicy(policy))
	case "smtps":
		port = 465
		s.opts = append(s.opts, mail.WithSSL())
	default:
		return nil, errors.New("--smtp-url must start with smtp:// or smtps://")
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, errors.New("--smtp-url has a bad port")
		}
	}
	s.opts = append(s.opts, mail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(user), mail.WithPassword(pass))
	}
	if _, err := mail.NewClient(s.host, s.opts...); err != nil {
		return nil, fmt.Errorf("--smtp-url: %w", err)
	}
	return s, nil
}

// Addr is host:port of the server, for logs.
func (s *SMTPSender) Addr() string {
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return s.host
	}
	return c.ServerAddr()
}

// Message builds the go-mail message of an outbox mail. Its Message-ID is
// derived from the outbox id, so a receiving server that sees the same
// message twice can tell.
func (s *SMTPSender) Message(m Email) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("%w: bad sender address: %v", ErrPermanent, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("%w: bad recipient address: %v", ErrPermanent, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(fmt.Sprintf("pacer.%d.%d@%s", m.ID, m.CreatedAt.Unix(), s.domain))
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	if m.Unsubscribe != "" {
		if strings.HasPrefix(m.Unsubscribe, "https://") {
			_ = msg.SetListUnsubscribeOneClick(m.Unsubscribe)
		} else {
			msg.SetListUnsubscribe(m.Unsubscribe)
		}
	}
	return msg, nil
}

// Send delivers one mail and sorts a failure into what the outbox needs
// to know: the server took it (nil), refused it for good (ErrPermanent),
// may have taken it (ErrMaybeSent), or did not take it (any other error).
func (s *SMTPSender) Send(ctx context.Context, m Email) error {
	msg, err := s.Message(m)
	if err != nil {
		return err
	}
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if err == nil || msg.IsDelivered() {
		// An error after the server accepted the message (closing the
		// connection) does not undo the delivery.
		return nil
	}
	return classify(err)
}

// classify sorts a go-mail error. Only a lost connection after the whole
// message went out, with no answer to it, is ambiguous: a server that
// answers with a code has said whether it took the message.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case se.Reason == mail.ErrSMTPDataClose && code == 0:
			return fmt.Errorf("%w: %v", ErrMaybeSent, err)
		case code >= 500:
			return fmt.Errorf("%w: %v", ErrPermanent, err)
		}
	}
	return err
}
