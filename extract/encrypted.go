package extract

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// encryptedOffice reports a Word, Excel or PowerPoint file saved with a
// password: a Compound File holding an EncryptionInfo stream (its name is
// UTF-16 in the directory, usually in the first sectors).
func encryptedOffice(data []byte) bool {
	head := data[:min(len(data), 64<<10)]
	return bytes.HasPrefix(head, cfbMagic) &&
		bytes.Contains(head, []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00"))
}

// decryptOffice opens a password-protected Office file with the password
// the user gave in its sidecar, returning the zip package inside, which is
// then read as what it is (.docx, .xlsx). The encryption is ECMA-376's,
// the same for every Office format, and excelize implements it.
func decryptOffice(data []byte, password string) (pkg []byte, err error) {
	if password == "" {
		return nil, fmt.Errorf("%w: the file is a password-protected Office document: give its password as `password:` in a sidecar file (NAME.meta.yaml), or save it again without one", ErrUnsupported)
	}
	// A parser of untrusted input: its panic is a damaged file.
	defer func() {
		if r := recover(); r != nil {
			pkg, err = nil, fmt.Errorf("the password-protected Office document is damaged (%v)", r)
		}
	}()
	pkg, err = excelize.Decrypt(data, &excelize.Options{Password: password})
	switch {
	case err == nil && bytes.HasPrefix(pkg, zipMagic):
		return pkg, nil
	case err == nil && pkg == nil:
		return nil, fmt.Errorf("%w: the Office document uses an encryption Evident cannot open; save it again without a password", ErrUnsupported)
	}
	return nil, fmt.Errorf("the password in the sidecar does not open this Office document")
}
