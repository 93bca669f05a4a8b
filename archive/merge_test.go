package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestShardsAndMerge builds a tree in 3 shards, as a CI matrix would, and
// merges them: every input lands in exactly one shard, and the merged
// catalogue is the one a single run writes.
func TestShardsAndMerge(t *testing.T) {
	in := t.TempDir()
	var inputs []string
	for i := 0; i < 5; i++ {
		inputs = append(inputs, writeFile(t, in, fmt.Sprintf("6.1.0-%d-cloud-amd64.btf", 40+i), tinyBTF(i)))
	}
	seen := map[string]int{}
	for i := 0; i < 3; i++ {
		for _, p := range inputs {
			if InShard(p, i, 3) {
				seen[p]++
			}
		}
	}
	for _, p := range inputs {
		if seen[p] != 1 {
			t.Fatalf("%s is in %d shards", p, seen[p])
		}
	}
	opt := AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"}
	var shards []string
	for i := 0; i < 3; i++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("shard", i))
		o := opt
		o.Shard, o.Shards = i, 3
		if _, err := Add(dir, inputs, &o); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	n, err := Merge(merged, shards, false)
	if err != nil || n != len(inputs) {
		t.Fatalf("merged %d: %v", n, err)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if _, err := Add(whole, inputs, &opt); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(merged, "btfhub-catalogue.json"))
	b, _ := os.ReadFile(filepath.Join(whole, "btfhub-catalogue.json"))
	if string(a) != string(b) {
		t.Fatalf("merged catalogue differs from a single run's:\n%s\n%s", a, b)
	}
	// Merging again changes nothing; a shard with other BTF under the
	// same key is refused.
	if n, err := Merge(merged, shards, false); err != nil || n != 0 {
		t.Fatalf("second merge: %d %v", n, err)
	}
	other := filepath.Join(t.TempDir(), "other")
	p := writeFile(t, t.TempDir(), "6.1.0-40-cloud-amd64.btf", tinyBTF(9))
	if _, err := Add(other, []string{p}, &opt); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(merged, []string{other}, false); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting merge: %v", err)
	}
}
