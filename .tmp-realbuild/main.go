package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/btfhub/btfhub/archive"
)

func main() {
	debs, _ := filepath.Glob("testdata/cache/debs/*.deb")
	start := time.Now()
	res, err := archive.Add(os.Args[1], debs, archive.AddOptions{Distro: "debian", Version: "12", Arch: "x86_64", Jobs: 2,
		Progress: func(done, total int, r archive.InputResult) {
			fmt.Printf("%d/%d %s %s %v %s\n", done, total, r.Outcome, r.Entry.Release, r.Err, time.Since(start))
		}})
	fmt.Println(len(res), err, time.Since(start))
}
