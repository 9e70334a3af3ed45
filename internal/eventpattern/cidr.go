package eventpattern

import (
	"net/netip"
	"strconv"
	"strings"
)

// cidrMatcher matches a string value holding an IPv4 or IPv6 address inside a CIDR block.
type cidrMatcher struct {
	prefix netip.Prefix
	text   string
}

func (m cidrMatcher) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	addr, err := netip.ParseAddr(string(v.str))
	if err != nil {
		return false
	}
	if m.prefix.Addr().Is4() {
		addr = addr.Unmap()
	}
	return m.prefix.Contains(addr)
}

func (m cidrMatcher) String() string { return `{"cidr":` + strconv.Quote(m.text) + `}` }

// compileCIDR parses the operand of cidr: "address/bits" for IPv4 or IPv6. Bits set beyond the
// prefix length are ignored, so 10.0.0.7/24 means 10.0.0.0/24.
func compileCIDR(operand any, path string) (cidrMatcher, error) {
	s, ok := operand.(string)
	if !ok {
		return cidrMatcher{}, patternErr(path, "cidr takes a string such as \"10.0.0.0/24\", not %s", describe(operand))
	}
	if !strings.Contains(s, "/") {
		return cidrMatcher{}, patternErr(path, "cidr: %q is not a CIDR block (address/prefix-length)", s)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		return cidrMatcher{}, patternErr(path, "cidr: %q is not a valid IPv4 or IPv6 CIDR block", s)
	}
	return cidrMatcher{prefix: p.Masked(), text: s}, nil
}
