package fetch

import (
	"crypto/sha256"
	"hash"
)

// The chunks a hasher works in: 1 MiB, which is also the read size of
// Body.WriteTo, and three of them, so that one is filled while the others
// are hashed.
const (
	hashChunk  = 1 << 20
	hashChunks = 3
)

// hasher computes a SHA-256 in a goroutine of its own, so that hashing,
// the costliest step of a download, overlaps with receiving and with the
// reader's work. Bytes go to it in chunks: the writer fills the current
// chunk, either by copying (Write) or by reading straight into its free
// space (space, then commit), and a full chunk is handed to the goroutine
// when the writer asks for more space, so never while the writer may
// still be using it. A hasher is used by one goroutine, which must call
// stop when done with it.
type hasher struct {
	h       hash.Hash     // the goroutine's, but for the writer in sum
	cur     []byte        // the chunk being filled
	hashed  int           // the bytes of cur already hashed, by sum
	free    chan []byte   // chunks hashed, to be filled again
	work    chan piece    // pieces to hash; one with a nil chunk asks for an ack
	ack     chan struct{} // all pieces before the one asking hashed
	stopped bool
}

// piece is the part of a chunk the goroutine is to hash.
type piece struct {
	chunk []byte
	from  int
}

func newHasher() *hasher {
	hs := &hasher{
		h:    sha256.New(),
		cur:  make([]byte, 0, hashChunk),
		free: make(chan []byte, hashChunks),
		work: make(chan piece, hashChunks),
		ack:  make(chan struct{}),
	}
	for range hashChunks - 1 {
		hs.free <- make([]byte, 0, hashChunk)
	}
	go hs.run()
	return hs
}

// run hashes pieces until stop.
func (hs *hasher) run() {
	for p := range hs.work {
		if p.chunk == nil {
			hs.ack <- struct{}{}
			continue
		}
		hs.h.Write(p.chunk[p.from:])
		hs.free <- p.chunk[:0]
	}
}

// space returns the free part of the current chunk, never empty, handing
// a full chunk to the goroutine first.
func (hs *hasher) space() []byte {
	if len(hs.cur) == cap(hs.cur) {
		hs.work <- piece{chunk: hs.cur, from: hs.hashed}
		hs.hashed = 0
		hs.cur = <-hs.free
	}
	return hs.cur[len(hs.cur):cap(hs.cur)]
}

// commit adds the first n bytes of the latest space to the hash.
func (hs *hasher) commit(n int) { hs.cur = hs.cur[:len(hs.cur)+n] }

// Write adds p, which it copies, to the hash.
func (hs *hasher) Write(p []byte) {
	// Each turn copies bytes of p.
	for len(p) > 0 {
		n := copy(hs.space(), p)
		hs.commit(n)
		p = p[n:]
	}
}

// sum returns the SHA-256 of the bytes added so far, once they are all
// hashed. It leaves the current chunk as it is, so that a space returned
// before stays valid.
func (hs *hasher) sum() [sha256.Size]byte {
	hs.work <- piece{}
	<-hs.ack
	// The goroutine now waits for the next piece, which comes after this.
	hs.h.Write(hs.cur[hs.hashed:])
	hs.hashed = len(hs.cur)
	var s [sha256.Size]byte
	hs.h.Sum(s[:0])
	return s
}

// stop ends the goroutine; the hasher is not to be used after.
func (hs *hasher) stop() {
	if !hs.stopped {
		hs.stopped = true
		close(hs.work)
	}
}
