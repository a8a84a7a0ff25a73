package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"io"

	"golang.org/x/net/html/charset"
)

// xmlHandler is told of an XML part's elements and text in document order.
type xmlHandler interface {
	start(xml.StartElement)
	end(xml.EndElement)
	text(xml.CharData)
}

// walkXML streams the XML in r to h. A part can hold millions of tokens, so
// ctx is checked every few thousand of them; the decoder's error is
// returned as it is, for the caller to name the part.
func walkXML(ctx context.Context, r io.Reader, h xmlHandler) error {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			h.start(t)
		case xml.EndElement:
			h.end(t)
		case xml.CharData:
			h.text(t)
		}
	}
}
