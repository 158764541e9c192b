// Package documents checks the photos complainants send with a ticket: the
// KTP (ID card), a selfie holding the KTP, and the vaccination card or
// certificate. It runs in the documents:check task, on bytes nobody has
// looked at yet, so it decodes defensively and never trusts a file name or a
// declared content type.
//
// # What a check does
//
//  1. Sniff the bytes (http.DetectContentType, plus a look for an ISO-BMFF
//     "ftyp" box to name HEIC/AVIF). JPEG, PNG, WebP and PDF are accepted,
//     and HEIC/HEIF/AVIF when libheif's heif-convert is installed (see
//     below).
//  2. Read the header only (DecodeConfig) and refuse anything over
//     Checker.MaxPixels before a single pixel buffer is allocated: a 60000×60000
//     PNG is a few hundred bytes on the wire and 14 GB in memory.
//  3. Decode once at full size, apply the JPEG's EXIF orientation, and make
//     small grayscale copies for analysis (800 px for QR, 640 px for
//     quality, 480 px for faces, 320 px for card shapes) so the cost of
//     analysis does not grow with the camera.
//  4. Quality: resolution, sharpness (variance of the Laplacian on 32 px
//     tiles, the 90th percentile so a sharp document on a plain table is not
//     called blurry), brightness and contrast.
//  5. Kind: QR code, face, card-shaped bright rectangle, and optionally OCR of
//     the KTP's NIK with tesseract.
//  6. Derivative: a JPEG of the oriented image, at most MaxDerivativeSide
//     pixels on its long side, carrying no EXIF or other metadata, because
//     the location and device data in a phone photo are personal data too.
//
// # Verdict rules
//
// unreadable when the file is not a supported format (GIF, BMP, TIFF, ...;
// HEIC without its decoder), is damaged or truncated, is a decompression bomb (over MaxPixels),
// is smaller than MinLongSide×MinShortSide, is too blurry (blur score under
// MinSharpness), too dark (mean under MinBrightness with nothing brighter
// than DarkHighlight) or washed out (mean over MaxBrightness with nothing
// darker than WashedShadow, or contrast under MinContrast).
//
// mismatch when the photo is readable, does not show what the sender's file
// name claimed (a selfie: a dominant face; a vaccine card: a QR code; a KTP:
// a card shape), and clearly is something else: the detected kind is
// another of the three documents on a strong signal; or a claimed selfie
// shows no face at all; or a claimed vaccine card shows neither a QR code
// nor a card or document shape. Also mismatch when OCR read a NIK that
// differs from the one the complainant gave. A mismatch is a flag for the
// agent, never a rejection. Kind detection says unknown when it is unsure,
// so a weak signal never produces a mismatch.
//
// ok otherwise.
//
// # What is not supported
//
//   - HEIC/HEIF/AVIF (the iPhone's default) is decoded only when libheif's
//     heif-convert (Debian's libheif-examples) is found, Checker.HEIFConvert,
//     because decoding HEVC needs cgo or a large library. It runs as a child
//     process on a copy in a temporary directory removed afterwards, within
//     Checker.HEIFTimeout; the size the file declares (its largest "ispe"
//     property) is checked against MaxPixels first, and what it writes back
//     against MaxPixels again. Its memory is not capped beyond that. Without
//     the decoder, or when it fails, the photo is unreadable with a reason
//     naming the iPhone setting that sends JPG (Pengaturan > Kamera > Format
//     > Paling Kompatibel).
//   - GIF, BMP, TIFF and anything else that is not JPEG, PNG, WebP or PDF.
//   - PDF: only the first embedded JPEG image (a DCTDecode stream) is
//     checked. Encrypted PDFs, images in other encodings (Flate, JPX, CCITT,
//     JBIG2, or DCT behind another filter) and vector-only PDFs are
//     unreadable with a reason asking for a photo.
//   - EXIF orientation is read from JPEG only; PNG and WebP are taken as
//     they are stored.
//   - Card shapes are found when the card is brighter than its background,
//     stands apart from other bright areas, and is roughly upright (within
//     about 10°). A card on a white table or against a bright wall is not
//     found; the kind is then unknown rather than wrong.
//   - Faces are found upright (and, for a claimed selfie, turned a quarter
//     either way); faces smaller than 1/8 of the image's short side are not
//     looked for.
//   - Memory: MaxPixels bounds a decoded image to 4 bytes a pixel (8 for a
//     16-bit PNG), 160 MB (320 MB) at the default.
//
// The face cascade is pico's facefinder as shipped by github.com/esimov/pigo,
// embedded in the binary; see NOTICE.facefinder for its origin and licence.
package documents
