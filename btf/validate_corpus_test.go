package btf

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// corpusBlob is one input of the differential test against the kernel.
type corpusBlob struct {
	name string
	data []byte
}

// mutationNames are the strings a mutation may give a name: valid and
// invalid identifiers, section names, the kernel's length limit of 512 and
// Latin-1 letters.
var mutationNames = []string{
	"", "ok", "_x", "1bad", ".dot", "a.b", "a b", "a-b", "x\xe9", "\xe9t\xe9", "\x80x",
	".data", ".rodata.str1.1", "sec tion", strings.Repeat("n", 512), strings.Repeat("n", 513),
}

// mutationValues are the values a mutation may write to a word.
var mutationValues = []uint32{
	0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 31, 32, 33, 64, 127, 128, 129, 255, 256,
	0xffff, 0xffffff, 0x1000000, 0x20000008, 0x80000000, 0xfffffffe, 0xffffffff,
}

// mutationSeeds are the small valid specs the generator mutates.
func mutationSeeds(t testing.TB) []*Spec {
	t.Helper()
	seeds := []*Spec{allKinds(t)}
	for _, tc := range validateCases {
		if s := buildCase(t, tc); tc.msg == "" && s.MarshalSize() < 4096 {
			seeds = append(seeds, s)
		}
	}
	return seeds
}

// mutate returns a copy of seed's encoding with one to three deterministic
// random changes: kinds (within the same record layout), kind flags, vlen of
// fixed-size kinds, names, and the words that hold sizes, offsets, type ids,
// linkage, INT data and component indexes.
func mutate(seed *Spec, r *rand.Rand) []byte {
	words := append([]uint32(nil), seed.words...)
	strs := seed.strs
	nameOff := make([]uint32, len(mutationNames))
	for i, n := range mutationNames {
		nameOff[i] = uint32(len(strs))
		strs += n + "\x00"
	}
	n := seed.NumTypes()
	for range 1 + r.IntN(3) {
		i := r.IntN(n)
		w := words[seed.offs[i]:seed.offs[i+1]]
		k := Kind(w[1] >> 24 & 0x1f)
		switch r.IntN(7) {
		case 0: // kind, keeping the layout
			w[1] = w[1]&^(0x1f<<24) | uint32(sameLayout(k, r))<<24
		case 1: // kind flag
			w[1] ^= 1 << 31
		case 2: // vlen of a fixed-size kind, FUNC linkage, reserved info bits
			if k.extraWords(1) == k.extraWords(0) {
				w[1] = w[1]&^0xffff | uint32(r.IntN(4))
			} else {
				w[1] |= 1 << (16 + r.IntN(8))
			}
		case 3: // name
			w[0] = nameOff[r.IntN(len(nameOff))]
		case 4: // a word of the record: size, type, offset, linkage, ...
			j := 2 + r.IntN(len(w)-2)
			w[j] = mutationValues[r.IntN(len(mutationValues))]
		case 5: // a reference to itself or to another type
			j := 2 + r.IntN(len(w)-2)
			w[j] = uint32(1 + r.IntN(n))
		case 6: // a name of a member, value, parameter or variable
			if len(w) > 3 {
				j := 3 + r.IntN(len(w)-3)
				w[j] = nameOff[r.IntN(len(nameOff))]
			}
		}
	}
	return rawBTF(words, strs)
}

// sameLayout returns a kind whose records have the same length as k's.
func sameLayout(k Kind, r *rand.Rand) Kind {
	groups := [][]Kind{
		{KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict, KindFunc, KindTypeTag, KindFwd, KindFloat},
		{KindInt, KindVar, KindDeclTag},
		{KindStruct, KindUnion, KindDatasec, KindEnum64},
		{KindEnum, KindFuncProto},
		{KindArray},
	}
	for _, g := range groups {
		for _, gk := range g {
			if gk == k {
				return g[r.IntN(len(g))]
			}
		}
	}
	return k
}

// fuzzSeeds are the base (not split) seeds of FuzzDecode, in host order.
func fuzzSeeds(t testing.TB) []corpusBlob {
	base := allKinds(t)
	return []corpusBlob{
		{"fuzz seed allKinds", base.Marshal(binary.LittleEndian)},
		{"fuzz seed allKinds big-endian, as little-endian", mustDecode(t, base.Marshal(binary.BigEndian)).Marshal(binary.LittleEndian)},
		{"fuzz seed int", rawBTF(intWords, intStrs)},
		{"fuzz seed typedef/const loop", rawBTF(withWords(1, info(KindTypedef, 0, false), 3, 0, info(KindConst, 0, false), 2), intStrs)},
	}
}

func mustDecode(t testing.TB, data []byte) *Spec {
	t.Helper()
	s, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// differentialCorpus is every blob of the differential test: the
// hand-built cases, the fuzz seeds, and count mutations from a fixed seed.
func differentialCorpus(t testing.TB, count int) []corpusBlob {
	var blobs []corpusBlob
	for _, tc := range validateCases {
		blobs = append(blobs, corpusBlob{"case " + tc.name, caseBlob(t, tc)})
	}
	blobs = append(blobs, fuzzSeeds(t)...)
	seeds := mutationSeeds(t)
	r := rand.New(rand.NewPCG(2026, 12))
	for i := range count {
		si := r.IntN(len(seeds))
		blobs = append(blobs, corpusBlob{fmt.Sprintf("mutation %d of seed %d", i, si), mutate(seeds[si], r)})
	}
	return blobs
}
