package corerel

import "testing"

// TestParseULL checks Kconfig integers as C's strtoull with base 0 reads
// them for libbpf's parse_u64: the whole string must be a number.
func TestParseULL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"250", 250, true},
		{"0x3e8", 1000, true},
		{"0X3E8", 1000, true},
		{"0377", 255, true},
		{"-5", 1<<64 - 5, true},
		{"+7", 7, true},
		{"  42", 42, true},
		{"18446744073709551615", 1<<64 - 1, true},
		{"0xffffffffffffffff", 1<<64 - 1, true},
		{"-18446744073709551615", 1, true},
		{"18446744073709551616", 0, false}, // ERANGE
		{"", 0, false},
		{"-", 0, false},
		{"0x", 0, false}, // strtoull reads "0", then "x" is left over
		{"0xg", 0, false},
		{"08", 0, false}, // not octal
		{"1_000", 0, false},
		{"0b101", 0, false},
		{"12 ", 0, false},
		{"1e3", 0, false},
	} {
		got, ok := parseULL(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseULL(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
