package durability

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Held is a reply request deliberately held in flight: its headers (with
// `Expect: 100-continue`) and half its body are sent, and the server has
// answered `100 Continue`, so the server is provably reading it. Finish
// sends the rest and reads the answer.
type Held struct {
	Marker string
	conn   net.Conn
	br     *bufio.Reader
	rest   []byte
	ledger *Ledger
}

// HoldReply starts a reply to the course's thread as the instructor and
// holds it half-sent. The reply is in the ledger from now on.
func HoldReply(c *Client, co *Course, l *Ledger, marker string) (*Held, error) {
	body, _ := json.Marshal(map[string]string{"body": "Held reply " + marker + " sent across a shutdown."})
	host := strings.TrimPrefix(c.Base, "http://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return nil, err
	}
	h := &Held{Marker: marker, conn: conn, br: bufio.NewReader(conn), rest: body[len(body)/2:], ledger: l}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := fmt.Sprintf("POST /api/v1/threads/%d/replies HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		co.Thread, host, co.Instructor.Token, len(body))
	l.sendReply(marker)
	if _, err := io.WriteString(conn, head); err != nil {
		conn.Close()
		return nil, err
	}
	line, err := h.br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		conn.Close()
		return nil, fmt.Errorf("held request: want 100 Continue, got %q (%v)", line, err)
	}
	if blank, err := h.br.ReadString('\n'); err != nil || blank != "\r\n" {
		conn.Close()
		return nil, fmt.Errorf("held request: after 100 Continue: %q (%v)", blank, err)
	}
	if _, err := conn.Write(body[:len(body)/2]); err != nil {
		conn.Close()
		return nil, err
	}
	return h, nil
}

// Finish sends the rest of the body and reads the whole answer, recording
// the reply's outcome in the ledger. An error means no complete answer came.
func (h *Held) Finish() (Response, error) {
	defer h.conn.Close()
	if _, err := h.conn.Write(h.rest); err != nil {
		return Response{}, fmt.Errorf("held request %s: send the rest: %w", h.Marker, err)
	}
	res, err := http.ReadResponse(h.br, nil)
	if err != nil {
		return Response{}, fmt.Errorf("held request %s: no answer: %w", h.Marker, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, fmt.Errorf("held request %s: answer cut short: %w", h.Marker, err)
	}
	switch res.StatusCode {
	case http.StatusCreated:
		h.ledger.answerReply(h.Marker, Acked)
	case http.StatusTooManyRequests:
		h.ledger.answerReply(h.Marker, Refused)
	}
	return Response{Status: res.StatusCode, Body: data}, nil
}
