package eventpattern

import "testing"

func TestCIDR(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"an IPv4 address inside the block matches", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.0.255"}}`, true},
		{"an IPv4 address outside the block does not match", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.1.0"}}`, false},
		{"host bits in the pattern are ignored", `{"ip":[{"cidr":"10.0.0.7/24"}]}`, `{"ip":"10.0.0.200"}`, true},
		{"a /32 block matches one address", `{"ip":[{"cidr":"192.168.1.1/32"}]}`, `{"ip":"192.168.1.1"}`, true},
		{"a /0 block matches every IPv4 address", `{"ip":[{"cidr":"0.0.0.0/0"}]}`, `{"ip":"8.8.8.8"}`, true},
		{"an IPv6 address inside the block matches", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8:1234::1"}`, true},
		{"an IPv6 address outside the block does not match", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
		{"an IPv4 block does not match an IPv6 address", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"2001:db8::1"}`, false},
		{"an IPv4-mapped IPv6 address matches the IPv4 block", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"::ffff:10.1.2.3"}`, true},
		{"a string that is not an address does not match", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"ten"}`, false},
		{"a number does not match", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":10}`, false},
		{"an address in an array matches when one element is inside", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":["1.1.1.1","10.9.9.9"]}`, true},
	})
}

func TestCIDRErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"a block without a prefix length is rejected", `{"ip":[{"cidr":"10.0.0.1"}]}`, "ip[0]", "not a CIDR block"},
		{"a prefix length beyond 32 is rejected for IPv4", `{"ip":[{"cidr":"10.0.0.0/33"}]}`, "ip[0]", "not a valid"},
		{"a prefix length beyond 128 is rejected for IPv6", `{"ip":[{"cidr":"::/129"}]}`, "ip[0]", "not a valid"},
		{"an address with five parts is rejected", `{"ip":[{"cidr":"10.0.0.0.1/8"}]}`, "ip[0]", "not a valid"},
		{"a cidr that is not a string is rejected", `{"ip":[{"cidr":10}]}`, "ip[0]", "cidr takes a string"},
		{"a nested ip field reports its full path", `{"detail":{"ip":["a",{"cidr":"x/1"}]}}`, "detail.ip[1]", "not a valid"},
	})
}

func TestCIDRBoundaries(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"the first address of a block matches", `{"ip":[{"cidr":"172.16.0.0/12"}]}`, `{"ip":"172.16.0.0"}`, true},
		{"the last address of a block matches", `{"ip":[{"cidr":"172.16.0.0/12"}]}`, `{"ip":"172.31.255.255"}`, true},
		{"the address after a block does not match", `{"ip":[{"cidr":"172.16.0.0/12"}]}`, `{"ip":"172.32.0.0"}`, false},
		{"the address before a block does not match", `{"ip":[{"cidr":"172.16.0.0/12"}]}`, `{"ip":"172.15.255.255"}`, false},
		{"an IPv6 /128 matches one address in any notation", `{"ip":[{"cidr":"2001:db8::1/128"}]}`, `{"ip":"2001:0db8:0000:0000:0000:0000:0000:0001"}`, true},
		{"an IPv6 /0 matches every IPv6 address", `{"ip":[{"cidr":"::/0"}]}`, `{"ip":"fe80::1"}`, true},
		{"an address with a zone does not match", `{"ip":[{"cidr":"fe80::/10"}]}`, `{"ip":"fe80::1%eth0"}`, false},
		{"an address with spaces does not match", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":" 10.0.0.1"}`, false},
		{"an address with a port does not match", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"10.0.0.1:80"}`, false},
	})
}
