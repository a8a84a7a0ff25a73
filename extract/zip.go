package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/evident/evident/extract/internal/tidy"
)

// Limits on what a Word, Excel or OpenDocument package may unpack to: far
// more than any interview or survey needs, little enough that a zip bomb
// cannot exhaust memory.
const (
	maxPartSize  = 64 << 20
	maxTotalSize = 256 << 20
)

// zipPackage is an Office or OpenDocument file: a zip archive of XML parts.
// Parts are looked up without regard to case, as the Open Packaging
// Conventions require, and unpacked within maxPartSize and maxTotalSize.
type zipPackage struct {
	what     string               // "Word file", as a person calls it, for error messages
	files    []*zip.File          // in archive order, so that checks fail the same way every time
	parts    map[string]*zip.File // by lower-case name
	unpacked int64                // bytes unpacked so far, against maxTotalSize
}

func openZip(data []byte, what string) (*zipPackage, error) {
	if bytes.HasPrefix(data, cfbMagic) {
		return nil, fmt.Errorf("the %s is password-protected or in the old binary Office format; open it, remove any password and save it again as a current (zip-based) file", what)
	}
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	// An insecure name (../x) only matters to code that writes files; the
	// reader is complete.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("the %s is damaged or incomplete: it cannot be opened as a zip package (%w)", what, err)
	}
	z := &zipPackage{what: what, files: r.File, parts: make(map[string]*zip.File, len(r.File))}
	for _, f := range r.File {
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))
		if _, dup := z.parts[name]; !dup {
			z.parts[name] = f
		}
	}
	return z, nil
}

// check vets a package before a library reads it whole: the required part
// is there, no part is encrypted, and the sizes the zip declares (which Go's
// zip reader holds every part to) are within the limits.
func (z *zipPackage) check(required string) error {
	if !z.has(required) {
		return fmt.Errorf("the %s is damaged: %s is missing", z.what, required)
	}
	var total uint64
	for _, f := range z.files {
		if f.Flags&0x1 != 0 {
			return fmt.Errorf("the %s is encrypted (%s is password-protected inside the zip); save it again without a password", z.what, f.Name)
		}
		if f.UncompressedSize64 > maxPartSize {
			return fmt.Errorf("the %s is too large: %s unpacks to %d MB, more than the %d MB Evident reads", z.what, f.Name, f.UncompressedSize64>>20, maxPartSize>>20)
		}
		total += f.UncompressedSize64
	}
	if total > maxTotalSize {
		return fmt.Errorf("the %s is too large: it unpacks to %d MB, more than the %d MB Evident reads", z.what, total>>20, maxTotalSize>>20)
	}
	return nil
}

// has reports whether the package holds the named part.
func (z *zipPackage) has(name string) bool {
	_, ok := z.parts[strings.ToLower(name)]
	return ok
}

// open returns a reader of the named part that fails, rather than keeps
// going, past the size limits: the sizes in a zip's headers can lie.
func (z *zipPackage) open(name string) (io.ReadCloser, error) {
	f, ok := z.parts[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("the %s is damaged: %s is missing", z.what, name)
	}
	if f.Flags&0x1 != 0 {
		return nil, fmt.Errorf("the %s is encrypted (%s is password-protected inside the zip); save it again without a password", z.what, name)
	}
	if f.UncompressedSize64 > maxPartSize {
		return nil, fmt.Errorf("the %s is too large: %s unpacks to %d MB, more than the %d MB Evident reads", z.what, name, f.UncompressedSize64>>20, maxPartSize>>20)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("the %s is damaged: %s cannot be unpacked (%w)", z.what, name, err)
	}
	return &boundedPart{z: z, name: name, rc: rc, left: maxPartSize}, nil
}

// read unpacks the whole of the named part.
func (z *zipPackage) read(name string) ([]byte, error) {
	rc, err := z.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

type boundedPart struct {
	z    *zipPackage
	name string
	rc   io.ReadCloser
	left int64
}

func (b *boundedPart) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, readError{fmt.Errorf("the %s is too large: %s unpacks to more than %d MB", b.z.what, b.name, maxPartSize>>20)}
	}
	if b.z.unpacked >= maxTotalSize {
		return 0, readError{fmt.Errorf("the %s is too large: it unpacks to more than %d MB", b.z.what, maxTotalSize>>20)}
	}
	p = p[:min(int64(len(p)), b.left, maxTotalSize-b.z.unpacked)]
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	b.z.unpacked += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = readError{fmt.Errorf("the %s is damaged: %s cannot be unpacked (%w)", b.z.what, b.name, err)}
	}
	return n, err
}

func (b *boundedPart) Close() error { return b.rc.Close() }

// Sniffing. A zip's table of contents sits at its end, out of a sniffer's
// sight, but every entry is also preceded by a local header carrying its
// name: walking those in the first bytes of the file names the parts that
// come first, which is where Word, Excel and OpenDocument put theirs.

var zipMagic = []byte("PK\x03\x04")

// zipHead lists the names of the entries whose local headers lie in head,
// and the content of a stored "mimetype" entry (OpenDocument's signature).
func zipHead(head []byte) (names []string, mimetype string) {
	p := 0
	for p+30 <= len(head) && bytes.Equal(head[p:p+4], zipMagic) {
		flags := binary.LittleEndian.Uint16(head[p+6:])
		method := binary.LittleEndian.Uint16(head[p+8:])
		size := int(binary.LittleEndian.Uint32(head[p+18:]))
		nameLen := int(binary.LittleEndian.Uint16(head[p+26:]))
		extraLen := int(binary.LittleEndian.Uint16(head[p+28:]))
		if p+30+nameLen > len(head) {
			break
		}
		name := string(head[p+30 : p+30+nameLen])
		names = append(names, strings.ToLower(strings.ReplaceAll(name, `\`, "/")))
		data := p + 30 + nameLen + extraLen
		if name == "mimetype" && method == 0 && data < len(head) {
			mimetype = storedMimetype(head[data:min(len(head), data+128)], size, flags&0x8 != 0)
		}
		// With a data descriptor (flag 8) or a zip64 size the length is not
		// here: look for the next header instead.
		if flags&0x8 != 0 || size == 0xFFFFFFFF {
			next := bytes.Index(head[min(data, len(head)):], zipMagic)
			if next < 0 {
				break
			}
			p = data + next
			continue
		}
		p = data + size
	}
	return names, mimetype
}

// storedMimetype reads the content of an uncompressed mimetype entry. With
// a data descriptor its size is unknown here, so it runs to the first byte
// that cannot be part of a media type (the descriptor's "PK").
func storedMimetype(b []byte, size int, descriptor bool) string {
	if !descriptor {
		if size > len(b) {
			return ""
		}
		return strings.TrimSpace(string(b[:size]))
	}
	if i := bytes.Index(b, []byte("PK")); i >= 0 {
		b = b[:i]
	}
	for i, c := range b {
		if c <= ' ' || c > '~' {
			b = b[:i]
			break
		}
	}
	return string(b)
}

func zipHasPrefix(head []byte, prefix string) bool {
	if !bytes.HasPrefix(head, zipMagic) {
		return false
	}
	names, _ := zipHead(head)
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

func sniffDOCX(head []byte) bool { return zipHasPrefix(head, "word/") }

func sniffXLSX(head []byte) bool { return zipHasPrefix(head, "xl/") }

func sniffODT(head []byte) bool {
	if !bytes.HasPrefix(head, zipMagic) {
		return false
	}
	_, mt := zipHead(head)
	return strings.HasPrefix(mt, "application/vnd.oasis.opendocument.text")
}

// cfbMagic starts a Compound File: a legacy Office file, or a Word or Excel
// file encrypted with a password (the zip package sits encrypted inside).
var cfbMagic = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

// officeUnsupported names the Office-like containers no extractor reads, or
// returns "" for content that is not one.
func officeUnsupported(head []byte) string {
	if bytes.HasPrefix(head, cfbMagic) {
		// The stream names are UTF-16 in the directory, which is often in
		// the first sectors.
		if encryptedOffice(head) {
			return "a password-protected Office document: give its password as `password:` in a sidecar file (NAME.meta.yaml), or save it again without one"
		}
		return ""
	}
	if !bytes.HasPrefix(head, zipMagic) {
		return ""
	}
	names, mt := zipHead(head)
	switch {
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.spreadsheet"):
		return "an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV"
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.presentation"):
		return "an OpenDocument presentation (.odp); export it as PDF"
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument"):
		return "an OpenDocument file that is not a text document; save it as .odt or PDF"
	case mt == "application/epub+zip":
		return "an EPUB e-book; export it as PDF or text"
	}
	for _, n := range names {
		if strings.HasPrefix(n, "ppt/") {
			return "a PowerPoint presentation; export it as PDF"
		}
	}
	return "a ZIP archive that is not a Word, Excel or OpenDocument file"
}

// readError marks an error of the part reader (too large, damaged
// compression) so that it is not mistaken for bad XML.
type readError struct{ error }

func (e readError) Unwrap() error { return e.error }

// partError says what went wrong reading a part's XML, naming the part.
func partError(z *zipPackage, name string, err error) error {
	if re := (readError{}); errors.As(err, &re) {
		return re.error
	}
	// The parser quotes the bad bytes, which need not be valid UTF-8.
	return fmt.Errorf("the %s is damaged: %s is not valid XML (%s)", z.what, name, strings.ToValidUTF8(err.Error(), "\uFFFD"))
}

// walkPart streams the named part's XML to h; an error names the part.
func walkPart(ctx context.Context, z *zipPackage, name string, h xmlHandler) error {
	rc, err := z.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := walkXML(ctx, rc, h); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return partError(z, name, err)
	}
	return nil
}

// Package properties.

// packageMain finds an Office package's main part through its
// relationships (some exports name it word/document2.xml), falling back to
// the usual name.
func packageMain(z *zipPackage, fallback string) string {
	if t := packageRel(z, "/officeDocument"); t != "" && z.has(t) {
		return t
	}
	return fallback
}

// packageRel returns the target of the package relationship whose type ends
// with typeSuffix, or "".
func packageRel(z *zipPackage, typeSuffix string) string {
	if !z.has("_rels/.rels") {
		return ""
	}
	data, err := z.read("_rels/.rels")
	if err != nil {
		return ""
	}
	var rels struct {
		Rel []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(data, &rels) != nil {
		return ""
	}
	for _, r := range rels.Rel {
		if strings.HasSuffix(r.Type, typeSuffix) {
			return strings.TrimPrefix(path.Clean("/"+r.Target), "/")
		}
	}
	return ""
}

// docProps is what the document says about itself.
type docProps struct {
	Title   string `xml:"title"`
	Creator string `xml:"creator"`
	Created string `xml:"created"`
}

// coreProperties reads an Office package's title, author and creation
// date. The part is optional; a damaged one is a warning, not a failure.
func coreProperties(z *zipPackage) (docProps, error) {
	name := packageRel(z, "/core-properties")
	if name == "" || !z.has(name) {
		name = "docProps/core.xml"
	}
	if !z.has(name) {
		return docProps{}, nil
	}
	data, err := z.read(name)
	if err != nil {
		return docProps{}, err
	}
	var p docProps
	if err := xml.Unmarshal(data, &p); err != nil {
		return docProps{}, fmt.Errorf("the %s's properties (%s) are damaged, so its title, author and date are unknown: %v", z.what, name, err)
	}
	return p.clean(), nil
}

func (p docProps) clean() docProps {
	p.Title = strings.TrimSpace(tidy.Spaces(p.Title))
	p.Creator = strings.TrimSpace(tidy.Spaces(p.Creator))
	p.Created = tidy.Date(p.Created)
	return p
}
