module github.com/btfhub/btfhub/benchmarks

go 1.26.0

replace github.com/btfhub/btfhub => ../

require (
	github.com/btfhub/btfhub v0.0.0-00010101000000-000000000000
	github.com/cilium/ebpf v0.22.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/ulikunitz/xz v0.5.17 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
