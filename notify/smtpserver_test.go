package notify_test

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// smtpServer is a tiny SMTP server on loopback that speaks just enough of
// RFC 5321 for go-mail: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT. Its mode makes it fail in the ways the outbox must survive.
type smtpServer struct {
	t  *testing.T
	ln net.Listener

	mu    sync.Mutex
	mode  string // "", "greet421", "mail451", "rcpt550", "drop-after-data"
	got   []smtpReceived
	conns int
	datas int // DATA bodies fully smtpReceived, accepted or not
	wg    sync.WaitGroup
}

type smtpReceived struct {
	From, User, Pass string
	To               []string
	Raw              string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{t: t, ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// URL is the --smtp-url of the server, with credentials.
func (s *smtpServer) URL() string {
	return "smtp://pacer:s3cret-pass@" + s.ln.Addr().String() + "?tls=none"
}

func (s *smtpServer) setMode(m string) { s.mu.Lock(); s.mode = m; s.mu.Unlock() }

func (s *smtpServer) messages() []smtpReceived {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpReceived(nil), s.got...)
}

func (s *smtpServer) counts() (conns, datas int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, s.datas
}

func (s *smtpServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.session(c)
		}()
	}
}

func (s *smtpServer) session(c net.Conn) {
	s.mu.Lock()
	s.conns++
	mode := s.mode
	s.mu.Unlock()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	if mode == "greet421" {
		say("421 test.local too busy, try later")
		return
	}
	say("220 test.local ESMTP ready")
	var cur smtpReceived
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			say("250-test.local hello")
			say("250-AUTH PLAIN")
			say("250-8BITMIME")
			say("250 SIZE 10240000")
		case "HELO":
			say("250 test.local")
		case "AUTH":
			parts := strings.Fields(line)
			resp := ""
			if len(parts) >= 3 {
				resp = parts[2]
			} else {
				say("334 ")
				l, _ := r.ReadString('\n')
				resp = strings.TrimSpace(l)
			}
			raw, err := base64.StdEncoding.DecodeString(resp)
			f := strings.Split(string(raw), "\x00")
			if err != nil || len(f) != 3 {
				say("501 bad AUTH")
				continue
			}
			cur.User, cur.Pass = f[1], f[2]
			say("235 2.7.0 authenticated")
		case "MAIL":
			if mode == "mail451" {
				say("451 4.3.0 try again later")
				continue
			}
			cur.From = smtpAddr(line)
			say("250 2.1.0 ok")
		case "RCPT":
			if mode == "rcpt550" {
				say("550 5.1.1 <" + smtpAddr(line) + ">: no such user (ask help.desk+mail@postmaster.test, @ alone)")
				continue
			}
			cur.To = append(cur.To, smtpAddr(line))
			say("250 2.1.5 ok")
		case "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, ".")) // undo dot-stuffing
			}
			s.mu.Lock()
			s.datas++
			s.mu.Unlock()
			if mode == "drop-after-data" {
				return // the whole message arrived, and the answer never does
			}
			cur.Raw = b.String()
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			cur = smtpReceived{User: cur.User, Pass: cur.Pass}
			say("250 2.0.0 queued")
		case "RSET":
			cur = smtpReceived{User: cur.User, Pass: cur.Pass}
			say("250 2.0.0 ok")
		case "NOOP":
			say("250 2.0.0 ok")
		case "QUIT":
			say("221 2.0.0 bye")
			return
		default:
			say("502 5.5.2 not implemented")
		}
	}
}

func smtpAddr(line string) string {
	i, j := strings.IndexByte(line, '<'), strings.IndexByte(line, '>')
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}

// parsedMail is a smtpReceived message taken apart: headers and the decoded
// text/plain and text/html parts.
type parsedMail struct {
	Header     mail.Header
	Text, HTML string
}

func parseMail(t *testing.T, raw string) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	p := parsedMail{Header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(part)
		}
		raw, _ := io.ReadAll(body)
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.Text = string(raw)
		case "text/html":
			p.HTML = string(raw)
		}
	}
	return p
}
