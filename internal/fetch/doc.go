// Package fetch is the HTTP client of btfhub's archive sync: it fetches
// repository metadata (Client.Get, which implements repo.Getter) and
// streams kernel debug packages (Client.Open) without writing them to
// disk.
//
// Every request is bounded: a number of attempts, an exponential backoff
// between them, a stall timeout that fails an attempt that receives no
// byte for too long, a size limit on metadata, and a limit on redirects
// (loops are detected). Transient faults (connection errors, stalls,
// HTTP 5xx, 408 and 429) are retried; everything else fails at once.
//
// A Body returned by Open delivers exactly the bytes of the file: after a
// transient fault it reconnects and resumes where it stopped, with a
// Range request guarded by If-Range, or, when the server ignores the
// range, by reading and discarding the bytes already delivered. The
// reader never sees a fault that was repaired. At the end the Body checks
// the size and SHA-256 the repository metadata gives; a mismatch is an
// error that wraps repo.ErrChecksum in place of io.EOF.
package fetch
