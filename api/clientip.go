package api

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Proxies is the set of reverse proxies whose X-Forwarded-For is believed
// (--trusted-proxies). Fiber's own c.IP() returns the raw header when IP
// validation is off, so anyone could pick their rate-limit key and write
// markup into the audit log; ClientIP is the one place the client address
// is computed instead.
type Proxies struct {
	trusted []netip.Prefix
}

// ParseProxies reads trusted proxies given as addresses ("10.0.0.2") or
// networks ("10.0.0.0/8"). An entry that is neither is an error, so that a
// typo does not silently trust nobody (or everybody).
func ParseProxies(list []string) (*Proxies, error) {
	p := &Proxies{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			pfx, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
			}
			p.trusted = append(p.trusted, pfx.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		a = a.Unmap().WithZone("")
		p.trusted = append(p.trusted, netip.PrefixFrom(a, a.BitLen()))
	}
	return p, nil
}

// Trusts reports whether a is one of the trusted proxies.
func (p *Proxies) Trusts(a netip.Addr) bool {
	if p == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, pfx := range p.trusted {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client's address given the socket peer and the
// X-Forwarded-For values in the order they arrived. Only a trusted peer's
// header counts, and only from the right: each trusted proxy appends the
// address it saw, so the right-most entry that is not itself a trusted
// proxy is the client as far as anyone trustworthy can tell. Everything
// left of it was written by the client and is ignored. An entry that is
// not an IP address ends the walk at the last trusted hop.
func (p *Proxies) Resolve(peer netip.Addr, forwarded [][]byte) netip.Addr {
	peer = peer.Unmap().WithZone("")
	if !p.Trusts(peer) {
		return peer
	}
	client := peer
	for i := len(forwarded) - 1; i >= 0; i-- {
		rest := forwarded[i]
		for len(rest) > 0 {
			var part []byte
			if j := bytes.LastIndexByte(rest, ','); j >= 0 {
				part, rest = rest[j+1:], rest[:j]
			} else {
				part, rest = rest, nil
			}
			part = bytes.TrimSpace(part)
			if len(part) == 0 {
				continue
			}
			a, ok := parseForwarded(string(part))
			if !ok {
				return client
			}
			if !p.Trusts(a) {
				return a
			}
			client = a
		}
	}
	return client
}

// parseForwarded reads one X-Forwarded-For entry: an address, or an
// address with a port as some proxies write it ("1.2.3.4:5678",
// "[2001:db8::1]:443").
func parseForwarded(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

const proxiesKey = "pacer.proxies"

// Middleware makes ClientIP use these proxies for every request after it.
func (p *Proxies) Middleware() fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(proxiesKey, p)
		return c.Next()
	}
}

// ClientIP is the address of the client of c: the socket peer, or, behind
// a trusted proxy, what the proxies say (see Proxies.Resolve). It is
// always a valid IP address in canonical form, never header text. Use it
// for every rate-limit key and audit entry, never c.IP().
func ClientIP(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	p, _ := c.Locals(proxiesKey).(*Proxies)
	if p == nil || len(p.trusted) == 0 {
		return peer.Unmap().WithZone("").String()
	}
	return p.Resolve(peer, c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)).String()
}
