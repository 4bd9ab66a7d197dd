package api_test

import (
	"net/netip"
	"testing"

	"pacer/api"
)

func TestResolveBelievesOnlyTrustedProxiesFromTheRight(t *testing.T) {
	p, err := api.ParseProxies([]string{"127.0.0.1", "10.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	proxy, stranger := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("198.51.100.1")
	for _, c := range []struct {
		name string
		peer netip.Addr
		xff  []string
		want string
	}{
		{"a direct client's header is ignored", stranger, []string{"203.0.113.7"}, "198.51.100.1"},
		{"the proxy's own entry counts, the client's are ignored", proxy, []string{"10.9.0.1, 203.0.113.7"}, "203.0.113.7"},
		{"trusted hops are skipped", proxy, []string{"192.0.2.1, 203.0.113.7, 10.1.2.3"}, "203.0.113.7"},
		{"several header lines are one list", proxy, []string{"192.0.2.1", "203.0.113.7"}, "203.0.113.7"},
		{"markup ends the walk at the last trusted hop", proxy, []string{"1.2.3.4, <img src=x onerror=alert(1)>"}, "127.0.0.1"},
		{"markup left of the client is never read", proxy, []string{"<img src=x>, 1.2.3.4"}, "1.2.3.4"},
		{"ports are dropped", proxy, []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"IPv4 in IPv6 is IPv4", proxy, []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"no header: the proxy itself", proxy, nil, "127.0.0.1"},
		{"only trusted entries: the farthest", proxy, []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"empty entries are skipped", proxy, []string{" , 203.0.113.8 ,, "}, "203.0.113.8"},
	} {
		var xff [][]byte
		for _, h := range c.xff {
			xff = append(xff, []byte(h))
		}
		if got := p.Resolve(c.peer, xff).String(); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := api.ParseProxies([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad network was accepted")
	}
	if _, err := api.ParseProxies([]string{"proxy.example"}); err == nil {
		t.Error("a host name was accepted")
	}
}
