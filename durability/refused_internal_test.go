package durability

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
)

// A refused connection is told from other transport failures by the
// error's type, whatever the wording around it.
func TestARefusedConnectionIsToldByItsErrorNotItsText(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	_, err = http.Get("http://" + addr + "/")
	if err == nil || !isRefused(err) {
		t.Fatalf("isRefused(%v) = false for a closed port", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
	if _, err := http.DefaultClient.Do(req); err == nil || isRefused(err) {
		t.Fatalf("isRefused(%v) = true for a cancelled request", err)
	}
	if isRefused(errors.New("dial tcp: connection refused")) {
		t.Fatal("a message that only reads like a refusal counts as one")
	}
}
