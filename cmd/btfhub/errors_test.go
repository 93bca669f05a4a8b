package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

func TestOneLine(t *testing.T) {
	var many []error
	for i := range 8 {
		many = append(many, fmt.Errorf("input %d: bad", i))
	}
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("plain"), "plain"},
		{errors.Join(errors.New("a"), errors.New("b")), "a; b"},
		{errors.Join(many...), "input 0: bad; input 1: bad; input 2: bad; input 3: bad; input 4: bad; and 3 more"},
		{errors.New("name \x1b[31mred\x1b[0m\tend\r"), `name \x1b[31mred\x1b[0m end`},
		{errors.New("bad utf-8 \xff and \u0085 end"), `bad utf-8 \xff and \x85 end`},
		{errors.New("  \n\nonly\n  "), "only"},
		{errors.New("a\u2028b\u2029c"), `a\u2028b\u2029c`},
		{errors.New(strings.Repeat("é", 1500)), strings.Repeat("é", 1000) + "..."},
	}
	for _, tt := range tests {
		if got := oneLine(tt.err); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.err.Error(), got, tt.want)
		}
	}
}

// TestErrorsOneLine runs every command on bad inputs and bad flags and
// checks that each prints exactly one line on standard error, starting
// with "btfhub: ", exits with status 1 or 2, and writes no output.
func TestErrorsOneLine(t *testing.T) {
	dir := t.TempDir()
	good := testutil.KernelBTFFile(t, testutil.Kernels[0])
	raw := testutil.KernelBTF(t, testutil.Kernels[0])
	garbage := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(r.Uint32())
	}
	inputs := map[string]string{
		"missing":   filepath.Join(dir, "missing"),
		"directory": filepath.Join(dir, "directory"),
		"empty":     filepath.Join(dir, "empty"),
		"garbage":   filepath.Join(dir, "garbage"),
		"truncated": filepath.Join(dir, "truncated.btf"),
		"elf-magic": filepath.Join(dir, "elf-magic"),
	}
	os.Mkdir(inputs["directory"], 0o755)
	os.WriteFile(inputs["empty"], nil, 0o644)
	os.WriteFile(inputs["garbage"], garbage, 0o644)
	os.WriteFile(inputs["truncated"], raw[:len(raw)/2], 0o644)
	os.WriteFile(inputs["elf-magic"], append([]byte("\x7fELF\x02\x01\x01"), garbage...), 0o644)

	// BAD stands for the bad input, OUT for an output path.
	commands := [][]string{
		{"dump", "BAD"},
		{"dump", good, "--base", "BAD"},
		{"stats", "BAD"},
		{"validate", "BAD"},
		{"convert", "BAD", "-o", "OUT"},
		{"dedup", "BAD", "-o", "OUT"},
		{"diff", "BAD", good},
		{"diff", good, "BAD"},
		{"encode", "-q", "BAD", "-o", "OUT"},
		{"relocate", "BAD", "--target", good},
		{"minimize", "BAD", "--target", good, "-o", "OUT"},
		{"objects", "BAD", "-o", "OUT"},
		{"archive", "list", "BAD"},
		{"archive", "verify", "BAD"},
		{"archive", "get", "BAD", "--release", "1.0", "-o", "OUT"},
		{"archive", "pack", "BAD", "-o", "OUT"},
		{"archive", "unpack", "BAD", "-o", "OUT"},
		{"archive", "add", "OUT", "BAD", "--distro", "d", "--version", "1", "--arch", "amd64", "-q"},
		{"archive", "merge", "OUT", "BAD"},
		{"archive", "sync", "OUT", "--config", "BAD"},
	}
	// An empty directory is a valid, empty tree for these.
	dirOK := map[string]bool{"archive list": true, "archive verify": true, "archive pack": true, "archive merge": true}
	for _, c := range commands {
		for _, kind := range []string{"missing", "directory", "empty", "garbage", "truncated", "elf-magic", "flag"} {
			name := strings.Join(c[:2], " ")
			if kind == "directory" && dirOK[name] {
				continue
			}
			t.Run(strings.Join(c, " ")+"/"+kind, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				args := make([]string, 0, len(c)+1)
				for _, a := range c {
					switch a {
					case "BAD":
						a = inputs[kind]
						if kind == "flag" {
							a = good
						}
					case "OUT":
						a = out
					}
					args = append(args, a)
				}
				if kind == "flag" {
					args = append(args, "--no-such-flag")
				}
				_, stderr, code := run(t, args...)
				if code != 1 && code != 2 || !strings.HasPrefix(stderr, "btfhub: ") || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
					t.Errorf("exit %d, stderr %q; want exit 1 or 2 and one line starting with \"btfhub: \"", code, stderr)
				}
				if kind == "flag" && code != 2 {
					t.Errorf("exit %d for a bad flag, want 2", code)
				}
				if c[1] != "add" && c[1] != "merge" && c[1] != "sync" {
					if _, err := os.Lstat(out); err == nil {
						t.Errorf("%s was written", out)
					}
				}
			})
		}
	}
}

// FuzzOneLine checks that any error message prints as one line of
// printable text, bounded in length.
func FuzzOneLine(f *testing.F) {
	f.Add("a\nb")
	f.Add("\x1b[2J\r\n\xff\u0085")
	f.Add(strings.Repeat("é\n", 3000))
	f.Fuzz(func(t *testing.T, msg string) {
		got := oneLine(errors.New(msg))
		if len(got) > maxErrorBytes+len("...") {
			t.Fatalf("%d bytes", len(got))
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029' {
				t.Fatalf("control character %U in %q", r, got)
			}
		}
	})
}
