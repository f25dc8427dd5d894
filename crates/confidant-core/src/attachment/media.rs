//! The media types an attachment may have, and the signature ("magic number") each one's first
//! bytes must carry, so a file cannot be stored under a type it is not.
//!
//! Pure functions over a declared type and a few leading bytes; they never see more of a file,
//! and their messages name types, never the file or its name.

/// Leading bytes needed to check any signature in the list.
pub(crate) const SIGNATURE_LEN: usize = 12;

/// A media type attachments may have: scans, photos, recordings and plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/pdf`: scanned or exported documents.
    Pdf,
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
    /// `image/tiff`: what many document scanners write.
    Tiff,
    /// `image/heic`: photos from phones.
    Heic,
    /// `audio/mpeg` (MP3).
    Mpeg,
    /// `audio/mp4` (M4A).
    AudioMp4,
    /// `audio/wav`.
    Wav,
    /// `audio/webm`: what browsers record.
    AudioWebm,
    /// `video/mp4`.
    VideoMp4,
    /// `video/webm`: what browsers record.
    VideoWebm,
    /// `text/plain`: has no signature to check.
    Text,
}

impl MediaType {
    /// Every accepted type, for messages and documentation.
    pub const ALL: [Self; 12] = [
        Self::Pdf,
        Self::Jpeg,
        Self::Png,
        Self::Tiff,
        Self::Heic,
        Self::Mpeg,
        Self::AudioMp4,
        Self::Wav,
        Self::AudioWebm,
        Self::VideoMp4,
        Self::VideoWebm,
        Self::Text,
    ];

    /// The type's name as sent in `Content-Type` and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Tiff => "image/tiff",
            Self::Heic => "image/heic",
            Self::Mpeg => "audio/mpeg",
            Self::AudioMp4 => "audio/mp4",
            Self::Wav => "audio/wav",
            Self::AudioWebm => "audio/webm",
            Self::VideoMp4 => "video/mp4",
            Self::VideoWebm => "video/webm",
            Self::Text => "text/plain",
        }
    }

    /// Parses a `Content-Type` value: its type and subtype, in any case, parameters (such as
    /// `charset`) ignored. `None` for anything not on the list.
    pub fn parse(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next()?.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(essence))
    }

    /// Whether a file starting with `head` (its first `SIGNATURE_LEN` bytes, or all of it if
    /// shorter) carries this type's signature; always true for plain text, which has none.
    pub fn signature_matches(self, head: &[u8]) -> bool {
        match self {
            Self::Pdf => head.starts_with(b"%PDF-"),
            Self::Jpeg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            Self::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Tiff => head.starts_with(b"II*\0") || head.starts_with(b"MM\0*"),
            Self::Heic => iso_media_brand(head).is_some_and(|b| HEIC_BRANDS.contains(&b)),
            Self::AudioMp4 | Self::VideoMp4 => iso_media_brand(head).is_some(),
            // An ID3 tag, or straight into an MPEG audio frame (11 sync bits).
            Self::Mpeg => {
                head.starts_with(b"ID3")
                    || matches!(head, [0xFF, second, ..] if second & 0xE0 == 0xE0)
            }
            Self::Wav => head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WAVE",
            // An EBML header, which every WebM file opens with.
            Self::AudioWebm | Self::VideoWebm => head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]),
            Self::Text => true,
        }
    }
}

impl serde::Serialize for MediaType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The major brands of HEIF images holding HEVC pictures, and of HEIF in general.
const HEIC_BRANDS: [&[u8; 4]; 10] = [
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
];

/// The major brand of an ISO base media file (MP4, M4A, HEIC): its first box is `ftyp`.
fn iso_media_brand(head: &[u8]) -> Option<&[u8; 4]> {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return None;
    }
    head[8..12].try_into().ok()
}

/// The accepted types as a comma-separated list, for messages.
pub(crate) fn accepted_list() -> String {
    MediaType::ALL.map(MediaType::as_str).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_parse_by_essence_in_any_case_and_unknown_ones_are_refused() {
        assert_eq!(MediaType::parse("application/pdf"), Some(MediaType::Pdf));
        assert_eq!(
            MediaType::parse(" Text/Plain; charset=utf-8"),
            Some(MediaType::Text)
        );
        assert_eq!(MediaType::parse("IMAGE/HEIC"), Some(MediaType::Heic));
        for refused in [
            "",
            "application/octet-stream",
            "text/html",
            "image/svg+xml",
            "application/pdfx",
            "application/x-msdownload",
        ] {
            assert_eq!(MediaType::parse(refused), None, "{refused}");
        }
        for t in MediaType::ALL {
            assert_eq!(MediaType::parse(t.as_str()), Some(t));
        }
    }

    /// A sample start of a real file of each type.
    fn sample(t: MediaType) -> &'static [u8] {
        match t {
            MediaType::Pdf => b"%PDF-1.7\n%\xe2\xe3",
            MediaType::Jpeg => b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
            MediaType::Png => b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
            MediaType::Tiff => b"II*\x00\x08\x00\x00\x00",
            MediaType::Heic => b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
            MediaType::Mpeg => b"ID3\x04\x00\x00\x00\x00\x00\x23",
            MediaType::AudioMp4 => b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00",
            MediaType::Wav => b"RIFF\x24\x08\x00\x00WAVEfmt ",
            MediaType::AudioWebm | MediaType::VideoWebm => b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81",
            MediaType::VideoMp4 => b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00",
            MediaType::Text => b"Session summary",
        }
    }

    #[test]
    fn each_type_accepts_its_own_signature_and_refuses_a_pdfs() {
        for t in MediaType::ALL {
            assert!(t.signature_matches(sample(t)), "{t:?}");
            if !matches!(t, MediaType::Pdf | MediaType::Text) {
                assert!(!t.signature_matches(sample(MediaType::Pdf)), "{t:?}");
            }
        }
        assert!(!MediaType::Pdf.signature_matches(sample(MediaType::Png)));
    }

    #[test]
    fn truncated_or_near_miss_signatures_are_refused() {
        assert!(!MediaType::Pdf.signature_matches(b"%PD"));
        assert!(!MediaType::Pdf.signature_matches(b""));
        assert!(!MediaType::Png.signature_matches(b"\x89PNG\r\n\x1a"));
        assert!(!MediaType::Tiff.signature_matches(b"II\x00*"));
        assert!(!MediaType::Wav.signature_matches(b"RIFF\x24\x08\x00\x00AVI "));
        assert!(!MediaType::Heic.signature_matches(b"\x00\x00\x00\x18ftypisom\x00\x00"));
        assert!(!MediaType::VideoMp4.signature_matches(b"\x00\x00\x00\x18ftyp"));
        assert!(!MediaType::Mpeg.signature_matches(b"\xFF\x1F"));
        assert!(MediaType::Mpeg.signature_matches(b"\xFF\xFB\x90\x64"));
        assert!(MediaType::Text.signature_matches(b""));
    }
}
