package btf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestExtLibbpfTools decodes the .BTF.ext of every BPF object in Debian's
// libbpf-tools and checks it against the object's ELF sections and symbols:
// sections are code sections of the object, instruction offsets lie within
// them, func info names exactly the functions of the symbol table, and
// CO-RE access strings parse. Marshal gives back the section byte for byte,
// and the big-endian encoding decodes to the same records.
func TestExtLibbpfTools(t *testing.T) {
	objs := testutil.LibbpfToolsObjects(t)
	var funcs, lines, relos int
	kinds := map[COREKind]int{}
	for _, o := range objs {
		t.Run(o.Name, func(t *testing.T) {
			r := bytes.NewReader(o.Data)
			spec, err := LoadSpecFromReader(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := ReadELFSection(r, SectionBTFExt)
			if err != nil {
				t.Fatal(err)
			}
			ext, err := LoadExt(r, spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := ext.Marshal(nil); !bytes.Equal(got, raw) {
				t.Fatalf("Marshal gives %d bytes that differ from the %d-byte section", len(got), len(raw))
			}
			be, err := DecodeExt(ext.Marshal(binary.BigEndian), spec)
			if err != nil {
				t.Fatalf("decoding the big-endian encoding: %v", err)
			}
			if !reflect.DeepEqual(be.FuncInfos, ext.FuncInfos) || !reflect.DeepEqual(be.LineInfos, ext.LineInfos) || !reflect.DeepEqual(be.CORERelos, ext.CORERelos) {
				t.Error("the big-endian encoding decodes to other records")
			}
			if !bytes.Equal(be.Marshal(binary.LittleEndian), raw) {
				t.Error("the big-endian encoding, re-encoded little-endian, differs from the section")
			}

			f, err := elf.NewFile(r)
			if err != nil {
				t.Fatal(err)
			}
			checkFuncInfos(t, f, spec, ext)
			for _, sec := range ext.LineInfos {
				s := codeSection(t, f, sec.Name)
				prev := -1
				for _, li := range sec.Records {
					checkInsn(t, s, li.InsnOff)
					if li.Insn() < prev {
						t.Errorf("%s: line info for insn %d after insn %d", sec.Name, li.Insn(), prev)
					}
					prev = li.Insn()
					if name, _ := spec.StringAt(li.FileNameOff); !strings.HasSuffix(name, ".c") && !strings.HasSuffix(name, ".h") {
						t.Errorf("%s: insn %d: file name %q", sec.Name, li.Insn(), name)
					}
				}
				lines += len(sec.Records)
			}
			for _, sec := range ext.CORERelos {
				s := codeSection(t, f, sec.Name)
				for _, cr := range sec.Records {
					checkInsn(t, s, cr.InsnOff)
					if !cr.Kind.Valid() {
						t.Errorf("%s: insn %d: unknown kind %d", sec.Name, cr.Insn(), cr.Kind)
					}
					kinds[cr.Kind]++
					if cr.TypeID == 0 {
						t.Errorf("%s: insn %d: relocation of void", sec.Name, cr.Insn())
					}
					access, _ := spec.StringAt(cr.AccessStrOff)
					for _, part := range strings.Split(access, ":") {
						if _, err := strconv.ParseUint(part, 10, 32); err != nil {
							t.Errorf("%s: insn %d: access string %q", sec.Name, cr.Insn(), access)
							break
						}
					}
				}
				relos += len(sec.Records)
			}
			for _, sec := range ext.FuncInfos {
				funcs += len(sec.Records)
			}
		})
	}
	t.Logf("%d objects: %d func info, %d line info, %d CO-RE relocation records; kinds %v", len(objs), funcs, lines, relos, kinds)
	if relos == 0 || lines < funcs {
		t.Errorf("implausible totals")
	}
}

// checkFuncInfos checks that each code section's func info records name
// exactly the section's function symbols, at their offsets, with FUNC types
// of their names.
func checkFuncInfos(t *testing.T, f *elf.File, spec *Spec, ext *Ext) {
	t.Helper()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{} // section name -> "offset name" of its functions
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && int(s.Section) < len(f.Sections) {
			sec := f.Sections[s.Section].Name
			want[sec] = append(want[sec], strconv.FormatUint(s.Value, 10)+" "+s.Name)
		}
	}
	got := map[string][]string{}
	for _, sec := range ext.FuncInfos {
		s := codeSection(t, f, sec.Name)
		for _, fi := range sec.Records {
			checkInsn(t, s, fi.InsnOff)
			typ, err := spec.Type(fi.TypeID)
			if err != nil || typ.Kind() != KindFunc {
				t.Errorf("%s: func info at insn %d: type [%d] is not a FUNC", sec.Name, fi.Insn(), fi.TypeID)
				continue
			}
			got[sec.Name] = append(got[sec.Name], strconv.FormatUint(uint64(fi.InsnOff), 10)+" "+typ.Name())
		}
	}
	for _, m := range []map[string][]string{want, got} {
		for _, v := range m {
			slices.Sort(v)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("func info %v, symbol table %v", got, want)
	}
}

// codeSection returns the object's executable section of that name.
func codeSection(t *testing.T, f *elf.File, name string) *elf.Section {
	t.Helper()
	s := f.Section(name)
	if s == nil || s.Flags&elf.SHF_EXECINSTR == 0 {
		t.Fatalf(".BTF.ext names section %q, which is not a code section of the object", name)
	}
	return s
}

func checkInsn(t *testing.T, s *elf.Section, off uint32) {
	t.Helper()
	if off%insnSize != 0 || uint64(off) >= s.Size {
		t.Errorf("%s: instruction offset %d outside the section's %d bytes or not aligned", s.Name, off, s.Size)
	}
}

// extSpec is a spec whose strings the hand-built .BTF.ext below refers to.
func extSpec(t testing.TB) *Spec {
	t.Helper()
	b := NewBuilder(nil)
	i := b.AddInt("int", 4, IntSigned, 32)
	proto := b.AddFuncProto(i, nil)
	b.AddFunc("prog", proto, 1)
	b.AddString("kprobe/x")
	b.AddString("a.bpf.c")
	b.AddString("0:1")
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// extBuilder writes .BTF.ext data for tests, field by field.
type extBuilder struct {
	bo  binary.ByteOrder
	buf []byte
}

func (b *extBuilder) u32(vs ...uint32) *extBuilder {
	for _, v := range vs {
		b.buf = b.bo.(binary.AppendByteOrder).AppendUint32(b.buf, v)
	}
	return b
}

// handExt returns a valid .BTF.ext in byte order bo over extSpec: one
// section of each kind, with record sizes larger than the known structs
// when extra is set.
func handExt(t testing.TB, s *Spec, bo binary.ByteOrder, extra bool) []byte {
	t.Helper()
	sec := s.offsetOf(t, "kprobe/x")
	file := s.offsetOf(t, "a.bpf.c")
	access := s.offsetOf(t, "0:1")
	pad := uint32(0)
	if extra {
		pad = 4
	}
	fi := &extBuilder{bo: bo}
	fi.u32(8+pad, sec, 2, 0, 3)
	if extra {
		fi.u32(0xaaaaaaaa)
	}
	fi.u32(16, 3)
	if extra {
		fi.u32(0xbbbbbbbb)
	}
	li := &extBuilder{bo: bo}
	li.u32(16+pad, sec, 1, 0, file, file, 7<<10|3)
	if extra {
		li.u32(0xcccccccc)
	}
	cr := &extBuilder{bo: bo}
	cr.u32(16+pad, sec, 1, 8, 1, access, uint32(COREFieldExists))
	if extra {
		cr.u32(0xdddddddd)
	}
	h := &extBuilder{bo: bo, buf: bo.(binary.AppendByteOrder).AppendUint16(nil, Magic)}
	h.buf = append(h.buf, 1, 0)
	f, l, c := uint32(len(fi.buf)), uint32(len(li.buf)), uint32(len(cr.buf))
	h.u32(32, 0, f, f, l, f+l, c)
	return slices.Concat(h.buf, fi.buf, li.buf, cr.buf)
}

// offsetOf returns the offset of string str in the spec's strings.
func (s *Spec) offsetOf(t testing.TB, str string) uint32 {
	t.Helper()
	i := strings.Index(s.Strings(), "\x00"+str+"\x00")
	if i < 0 {
		t.Fatalf("no string %q", str)
	}
	return uint32(i + 1)
}

// TestDecodeExtHandMade checks decoding of hand-built sections in both byte
// orders, with and without records larger than the known structs.
func TestDecodeExtHandMade(t *testing.T) {
	s := extSpec(t)
	for _, bo := range byteOrders {
		for _, extra := range []bool{false, true} {
			t.Run(orderName(bo)+"/extra="+strconv.FormatBool(extra), func(t *testing.T) {
				data := handExt(t, s, bo, extra)
				e, err := DecodeExt(data, s)
				if err != nil {
					t.Fatal(err)
				}
				if e.ByteOrder() != bo {
					t.Errorf("byte order %v", e.ByteOrder())
				}
				wantF := []FuncInfo{{0, 3}, {16, 3}}
				wantL := []LineInfo{{0, s.offsetOf(t, "a.bpf.c"), s.offsetOf(t, "a.bpf.c"), 7<<10 | 3}}
				wantC := []CORERelo{{8, 1, s.offsetOf(t, "0:1"), COREFieldExists}}
				if len(e.FuncInfos) != 1 || !reflect.DeepEqual(e.FuncInfos[0].Records, wantF) || e.FuncInfos[0].Name != "kprobe/x" {
					t.Errorf("func info %+v", e.FuncInfos)
				}
				if len(e.LineInfos) != 1 || !reflect.DeepEqual(e.LineInfos[0].Records, wantL) {
					t.Errorf("line info %+v", e.LineInfos)
				}
				if len(e.CORERelos) != 1 || !reflect.DeepEqual(e.CORERelos[0].Records, wantC) {
					t.Errorf("CO-RE relocations %+v", e.CORERelos)
				}
				li := e.LineInfos[0].Records[0]
				if li.Line() != 7 || li.Col() != 3 || e.FuncInfos[0].Records[1].Insn() != 2 || e.CORERelos[0].Records[0].Insn() != 1 {
					t.Error("Line, Col or Insn wrong")
				}
				if got := e.Marshal(nil); !bytes.Equal(got, data) {
					t.Errorf("Marshal:\n got %x\nwant %x", got, data)
				}
				// Without a spec, nothing is resolved but the records are the same.
				e2, err := DecodeExt(data, nil)
				if err != nil {
					t.Fatal(err)
				}
				if e2.FuncInfos[0].Name != "" || !reflect.DeepEqual(e2.CORERelos[0].Records, wantC) {
					t.Error("decoding without a spec")
				}
			})
		}
	}
}

// TestExtHeaderVariants checks header lengths other than 32: 24 (no CO-RE
// relocations, as before LLVM 12) and longer headers, whose extra bytes
// are kept.
func TestExtHeaderVariants(t *testing.T) {
	s := extSpec(t)
	full := handExt(t, s, binary.LittleEndian, false)
	e, err := DecodeExt(full, s)
	if err != nil {
		t.Fatal(err)
	}
	bo := binary.LittleEndian
	fl, ll := bo.Uint32(full[12:]), bo.Uint32(full[20:])

	// hdr_len 24: the CO-RE relocation fields are not there.
	short := slices.Concat(full[:24], full[32:32+fl+ll])
	bo.PutUint32(short[4:], 24)
	es, err := DecodeExt(short, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(es.CORERelos) != 0 || !reflect.DeepEqual(es.FuncInfos, e.FuncInfos) {
		t.Error("24-byte header decoded wrongly")
	}
	if !bytes.Equal(es.Marshal(nil), short) {
		t.Error("24-byte header: Marshal differs")
	}
	// Adding CO-RE relocations needs the longer header.
	es.CORERelos = e.CORERelos
	if !bytes.Equal(es.Marshal(nil), full) {
		t.Error("adding CO-RE relocations to a 24-byte header")
	}

	// hdr_len 40 with extra bytes.
	long := slices.Concat(full[:32], []byte("12345678"), full[32:])
	bo.PutUint32(long[4:], 40)
	el, err := DecodeExt(long, s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(el.Marshal(nil), long) {
		t.Error("40-byte header: Marshal differs")
	}

	// A hand-built Ext marshals in the canonical layout.
	built := &Ext{FuncInfos: e.FuncInfos, LineInfos: e.LineInfos, CORERelos: e.CORERelos}
	if !bytes.Equal(built.Marshal(nil), full) {
		t.Error("hand-built Ext")
	}
	// Gaps between blocks are accepted and dropped by Marshal.
	gap := slices.Concat(full[:32], []byte{0, 0, 0, 0}, full[32:])
	bo.PutUint32(gap[8:], 4)
	bo.PutUint32(gap[16:], fl+4)
	bo.PutUint32(gap[24:], fl+ll+4)
	eg, err := DecodeExt(gap, s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(eg.Marshal(nil), full) {
		t.Error("gap: Marshal does not give the canonical layout")
	}
}

// TestDecodeExtErrors checks each rule of libbpf's btf_ext__new, and the
// references checked against the spec.
func TestDecodeExtErrors(t *testing.T) {
	s := extSpec(t)
	bo := binary.LittleEndian
	good := handExt(t, s, bo, false)
	fl := bo.Uint32(good[12:])
	// edit returns a copy of good with the 32-bit words at the given byte
	// offsets replaced.
	edit := func(kv ...uint32) []byte {
		d := bytes.Clone(good)
		for i := 0; i < len(kv); i += 2 {
			bo.PutUint32(d[kv[i]:], kv[i+1])
		}
		return d
	}
	fi := uint32(32) // start of the func info block
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short", good[:7], ErrTruncated},
		{"magic", append([]byte{0, 0}, good[2:]...), ErrNotBTF},
		{"version", append([]byte{0x9f, 0xeb, 2}, good[3:]...), ErrUnsupported},
		{"flags", append([]byte{0x9f, 0xeb, 1, 1}, good[4:]...), ErrUnsupported},
		{"hdr_len past the end", edit(4, 1000), ErrTruncated},
		{"hdr_len too short", edit(4, 20), ErrUnsupported},
		{"no data", good[:32], ErrTruncated},
		{"func_info misaligned", edit(8, 2), ErrUnsupported},
		{"func_info past the end", edit(12, 1000), ErrTruncated},
		{"func_info offset past the end", edit(8, 0xfffffffc), ErrTruncated},
		{"func_info without record size", edit(12, 2), ErrTruncated},
		{"func_info without records", edit(12, 4), ErrTruncated},
		{"record size too small", edit(fi, 4), ErrUnsupported},
		{"record size not a multiple of 4", edit(fi, 10), ErrUnsupported},
		{"num_info 0", edit(fi+8, 0), ErrUnsupported},
		{"num_info too large", edit(fi+8, 3), ErrTruncated},
		{"num_info overflow", edit(fi+8, 0x80000000), ErrTruncated},
		{"truncated section header", edit(12, fl+4), ErrTruncated},
		{"section name", edit(fi+4, 1000), ErrBadString},
		{"func type", edit(fi+16, 4), ErrMissingType},
		{"line file name", edit(32+fl+16, 1000), ErrBadString},
		{"core_relo type", edit(uint32(len(good))-12, 99), ErrMissingType},
		{"core_relo access string", edit(uint32(len(good))-8, 1000), ErrBadString},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeExt(tt.data, s)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var ee *ExtError
			if !errors.As(err, &ee) || !strings.Contains(err.Error(), ".BTF.ext offset") {
				t.Errorf("error %q is not an *ExtError naming the offset", err)
			}
		})
	}
}

// TestLoadExtErrors checks LoadExt on files without .BTF.ext.
func TestLoadExtErrors(t *testing.T) {
	s := smallSpec(t)
	data, err := s.MarshalELF(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadExt(bytes.NewReader(data), s); !errors.Is(err, ErrNoExtSection) {
		t.Errorf("LoadExt: %v, want ErrNoExtSection", err)
	}
	if _, err := LoadExt(bytes.NewReader([]byte("not ELF")), s); err == nil {
		t.Error("LoadExt accepted non-ELF data")
	}
}

func TestCOREKindString(t *testing.T) {
	// libbpf's names, src/relo_core.c core_relo_kind_str.
	want := "byte_off byte_sz field_exists signed lshift_u64 rshift_u64 local_type_id target_type_id type_exists type_size enumval_exists enumval_value type_matches"
	var got []string
	for k := COREKind(0); k.Valid(); k++ {
		got = append(got, k.String())
	}
	if strings.Join(got, " ") != want {
		t.Errorf("got %v", got)
	}
	if COREKind(13).String() != "COREKind(13)" || COREKind(13).Valid() {
		t.Error("kind 13")
	}
	n := 0
	for k := COREKind(0); k.Valid(); k++ {
		if k.IsField() {
			n++
		}
		if k.IsType() {
			n += 10
		}
		if k.IsEnumValue() {
			n += 100
		}
	}
	if n != 6+10*5+100*2 {
		t.Errorf("IsField, IsType, IsEnumValue classify %d", n)
	}
}

// bpftoolRelo matches the line of libbpf's debug log that starts each CO-RE
// relocation (src/relo_core.c, bpf_core_calc_relo_insn and
// bpf_core_format_spec): program, relocation index, kind, local type id
// and, for field relocations, the access string.
var bpftoolRelo = regexp.MustCompile(`prog '([^']+)': relo #(\d+): <(\w+)> \[(\d+)\][^(\n]*(?:\((\d+(?::\d+)*) @ offset)?`)

// TestExtCORERelosBpftool checks the CO-RE relocations of every libbpf-tools
// object against libbpf's own reading of them: `bpftool -d gen
// min_core_btf` logs each relocation it follows, per .BTF.ext section.
func TestExtCORERelosBpftool(t *testing.T) {
	bpftool := testutil.RequireTool(t, "bpftool")
	target := testutil.KernelBTFFile(t, testutil.Kernels[0])
	out := filepath.Join(t.TempDir(), "min.btf")
	total := 0
	for _, path := range testutil.LibbpfToolsObjectFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		spec, err := LoadSpecFromReader(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		ext, err := LoadExt(bytes.NewReader(data), spec)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, sec := range ext.CORERelos {
			for i, r := range sec.Records {
				access := ""
				if r.Kind.IsField() {
					access, _ = spec.StringAt(r.AccessStrOff)
				}
				want = append(want, fmt.Sprintf("%s #%d %s [%d] %s", sec.Name, i, r.Kind, r.TypeID, access))
			}
		}
		log, err := exec.Command(bpftool, "-d", "gen", "min_core_btf", target, out, path).CombinedOutput()
		if err != nil {
			t.Fatalf("bpftool gen min_core_btf %s: %v\n%s", path, err, log)
		}
		var got []string
		for _, m := range bpftoolRelo.FindAllStringSubmatch(string(log), -1) {
			got = append(got, fmt.Sprintf("%s #%s %s [%s] %s", m[1], m[2], m[3], m[4], m[5]))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: CO-RE relocations\n got %q\nlibbpf %q", filepath.Base(path), want, got)
		}
		total += len(want)
	}
	if total == 0 {
		t.Error("no CO-RE relocations at all")
	}
}

// BenchmarkDecodeExt decodes the largest .BTF.ext of the libbpf-tools
// objects.
func BenchmarkDecodeExt(b *testing.B) {
	var data []byte
	var spec *Spec
	for _, o := range testutil.LibbpfToolsObjects(b) {
		raw, err := ReadELFSection(bytes.NewReader(o.Data), SectionBTFExt)
		if err != nil || len(raw) <= len(data) {
			continue
		}
		if spec, err = LoadSpecFromReader(bytes.NewReader(o.Data), nil); err != nil {
			b.Fatal(err)
		}
		data = raw
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeExt(data, spec); err != nil {
			b.Fatal(err)
		}
	}
}
