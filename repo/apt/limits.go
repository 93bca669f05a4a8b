package apt

// Bounds on what Discover and the parsers read.
const (
	// MaxReleaseSize bounds an InRelease or Release file, in bytes.
	MaxReleaseSize = 64 << 20
	// MaxReleaseSignatureSize bounds a Release.gpg file, in bytes.
	MaxReleaseSignatureSize = 1 << 20
	// MaxIndexSize bounds a decompressed Packages index whose Release
	// does not give its uncompressed size, in bytes.
	MaxIndexSize = 2 << 30
	// MaxSourcesFileSize bounds one APT sources file, in bytes.
	MaxSourcesFileSize = 4 << 20
	// MaxSourcesFiles bounds the files of sources.list.d that
	// HostSources reads.
	MaxSourcesFiles = 4096
	// MaxReleaseFiles bounds the entries of a Release's SHA256 field.
	MaxReleaseFiles = 1 << 20
	// MaxSourceEntries bounds the entries of one sources file.
	MaxSourceEntries = 1 << 16
)

// limits bounds what one paragraph reader reads.
type limits struct {
	line      int // bytes of one line, without its line end
	fields    int // fields of one paragraph
	paragraph int // bytes of one paragraph
}

var (
	// releaseLimits are for Release files: one paragraph, whose
	// checksum fields list every index of the suite.
	releaseLimits = limits{line: 64 << 10, fields: 256, paragraph: MaxReleaseSize}
	// packagesLimits are for Packages indexes. Real stanzas have lines
	// of up to about 80 KiB (long Provides fields) and about 30 fields.
	packagesLimits = limits{line: 1 << 20, fields: 512, paragraph: 8 << 20}
	// sourcesLimits are for deb822 .sources files, whose Signed-By field
	// may hold a whole armored key.
	sourcesLimits = limits{line: 64 << 10, fields: 64, paragraph: 1 << 20}
)
