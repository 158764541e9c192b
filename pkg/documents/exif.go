package documents

import "encoding/binary"

// jpegOrientation returns the EXIF orientation (1..8) of a JPEG, 1 when it
// has none or it cannot be read. Only IFD0's Orientation tag is needed, so
// a small bounds-checked reader does, rather than a full EXIF library:
// phones store most photos sideways and rely on this one tag.
func jpegOrientation(data []byte) int {
	for _, seg := range jpegSegments(data) {
		if seg.marker != 0xE1 || len(seg.body) < 14 || string(seg.body[:6]) != "Exif\x00\x00" {
			continue
		}
		if o := tiffOrientation(seg.body[6:]); o != 0 {
			return o
		}
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF header, 0 when absent.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 0
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		// Type SHORT (3), count 1: the value sits in the first two bytes of
		// the value field.
		if bo.Uint16(t[e+2:]) != 3 || bo.Uint32(t[e+4:]) != 1 {
			return 0
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 0
	}
	return 0
}

// jpegSegment is one marker segment of a JPEG header.
type jpegSegment struct {
	marker byte
	start  int // offset of the 0xFF of the marker
	end    int // offset just past the segment
	body   []byte
}

// jpegSegments lists the marker segments before the first scan (SOS). The
// SOS segment itself is the last entry; its end is where entropy-coded data
// begins. It returns nil when the header is malformed.
func jpegSegments(data []byte) []jpegSegment {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil
	}
	var segs []jpegSegment
	for p := 2; p+4 <= len(data); {
		if data[p] != 0xFF {
			return nil
		}
		m := data[p+1]
		if m == 0xFF { // fill byte
			p++
			continue
		}
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) { // markers without a length
			p += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return nil
		}
		segs = append(segs, jpegSegment{marker: m, start: p, end: p + 2 + n, body: data[p+4 : p+2+n]})
		if m == 0xDA {
			return segs
		}
		p += 2 + n
	}
	return nil
}
