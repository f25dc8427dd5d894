//! Notes: a kind (record class), a template (free text, SOAP, DAP or BIRP) and the text of its
//! sections, sealed under the client's data key; and the signature that ends a note's life as a
//! draft.
//!
//! The kind, status and dates are stored in the clear because the access policy and the
//! lifecycle decide on them; the text never is, nor the hash that a signature covers (a hash of
//! short text can be guessed). Each version of a draft is sealed with its version number bound
//! in, so an older version's ciphertext cannot be passed off as the current one.

use std::collections::BTreeMap;
use std::fmt;

use confidant_crypto::{ClientKey, FieldContext, Sealed};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, ClientId, NoteId};
use crate::ports::{NoteRow, NoteVersionRow, UnixMillis, from_millis, to_millis};
use crate::text::{self, Limit};

/// Longest note accepted, in characters over all its sections (a long intake is a few thousand
/// words).
pub const MAX_BODY_CHARS: usize = 200_000;

/// How long after a session a note may first be written before it is marked a late entry.
pub const LATE_AFTER: Duration = Duration::hours(24);

/// The record class of a note; psychotherapy notes are kept apart from the rest of the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A progress note, part of the clinical record.
    #[default]
    Progress,
    /// A psychotherapy (process) note, the author's own.
    Psychotherapy,
}

impl NoteKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Psychotherapy => "psychotherapy",
        }
    }

    pub(crate) fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "progress" => Ok(Self::Progress),
            "psychotherapy" => Ok(Self::Psychotherapy),
            _ => Err(CoreError::Integrity),
        }
    }
}

impl fmt::Display for NoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shape of a note: free text, or one of the structured formats clinicians document in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// One free-text body.
    #[default]
    Free,
    /// Subjective, objective, assessment, plan.
    Soap,
    /// Data, assessment, plan.
    Dap,
    /// Behavior, intervention, response, plan.
    Birp,
}

impl Template {
    /// The template's sections, in the order they are written and shown.
    pub fn sections(self) -> &'static [&'static str] {
        match self {
            Self::Free => &["body"],
            Self::Soap => &["subjective", "objective", "assessment", "plan"],
            Self::Dap => &["data", "assessment", "plan"],
            Self::Birp => &["behavior", "intervention", "response", "plan"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Soap => "SOAP",
            Self::Dap => "DAP",
            Self::Birp => "BIRP",
        }
    }
}

/// Where a note stands: only a draft can change; a signed note can only gain addenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteStatus {
    /// Being written; every edit keeps the version it replaces.
    Draft,
    /// Signed by its author (a trainee), awaiting the supervisor's co-signature.
    Signed,
    /// Signed (and co-signed where required): final.
    Locked,
}

impl NoteStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Signed => "signed",
            Self::Locked => "locked",
        }
    }

    pub(crate) fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "draft" => Ok(Self::Draft),
            "signed" => Ok(Self::Signed),
            "locked" => Ok(Self::Locked),
            _ => Err(CoreError::Integrity),
        }
    }
}

/// The text of a note as a request states it: a free-text `body`, or `sections` of a template.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentInput {
    /// Template; `free` when absent.
    #[serde(default)]
    pub template: Template,
    /// The text of a free-text note.
    #[serde(default)]
    pub body: String,
    /// The text of each section of a structured note, by section name.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
}

/// A new note as a request states it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Record class.
    pub kind: NoteKind,
    /// Template; `free` when absent.
    #[serde(default)]
    pub template: Template,
    /// The text of a free-text note.
    #[serde(default)]
    pub body: String,
    /// The text of each section of a structured note, by section name.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// When the session took place (RFC 3339); now when absent.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub occurred_at: Option<String>,
    /// Sign it at once instead of leaving a draft.
    #[serde(default)]
    pub sign: bool,
}

impl NoteInput {
    /// A free-text note of a kind, left as a draft.
    pub fn free(kind: NoteKind, body: impl Into<String>) -> Self {
        Self {
            kind,
            body: body.into(),
            ..Self::default()
        }
    }

    fn content(&self) -> ContentInput {
        ContentInput {
            template: self.template,
            body: self.body.clone(),
            sections: self.sections.clone(),
        }
    }
}

/// A new version of a draft as a request states it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteEditInput {
    /// The version this edit was made from; refused if the draft has moved on since.
    pub version: u32,
    /// Template; `free` when absent.
    #[serde(default)]
    pub template: Template,
    /// The text of a free-text note.
    #[serde(default)]
    pub body: String,
    /// The text of each section of a structured note.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// When the session took place (RFC 3339); unchanged when absent.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub occurred_at: Option<String>,
}

/// An addendum as a request states it: a correction or late addition to a signed note.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumInput {
    /// Template; `free` when absent.
    #[serde(default)]
    pub template: Template,
    /// The text of a free-text addendum.
    #[serde(default)]
    pub body: String,
    /// The text of each section of a structured addendum.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// Sign it at once instead of leaving a draft.
    #[serde(default)]
    pub sign: bool,
}

/// A note's text, validated: a template and the text of each of its sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    /// Template.
    pub template: Template,
    /// Section name → text; only the template's sections, blank ones left out.
    pub sections: BTreeMap<String, String>,
}

const SECTION: Limit = Limit {
    max_chars: MAX_BODY_CHARS,
    multiline: true,
};

impl Content {
    /// Checks the text fits the template and the size limit.
    pub fn validate(input: ContentInput) -> Result<Self, Invalid> {
        let template = input.template;
        let mut sections = BTreeMap::new();
        if template == Template::Free {
            if !input.sections.is_empty() {
                return Err(Invalid::new(
                    "sections",
                    "a free-text note has no sections; put its text in body",
                ));
            }
            sections.insert(
                "body".to_owned(),
                text::required("body", input.body, SECTION)?,
            );
        } else {
            if !input.body.trim().is_empty() {
                return Err(Invalid::new(
                    "body",
                    format!(
                        "a {} note is written in sections, not body",
                        template.name()
                    ),
                ));
            }
            let allowed = template.sections();
            for (name, value) in input.sections {
                // The name is the caller's text: never echo it.
                if !allowed.contains(&name.as_str()) {
                    return Err(Invalid::new(
                        "sections",
                        format!(
                            "unknown section for a {} note; its sections are {}",
                            template.name(),
                            allowed.join(", ")
                        ),
                    ));
                }
                if let Some(text) = text::optional("sections", Some(value), SECTION)? {
                    sections.insert(name, text);
                }
            }
            if sections.is_empty() {
                return Err(Invalid::new(
                    "sections",
                    "at least one section must have text",
                ));
            }
        }
        let total: usize = sections.values().map(|s| s.chars().count()).sum();
        if total > MAX_BODY_CHARS {
            return Err(Invalid::new(
                "body",
                format!("is longer than {MAX_BODY_CHARS} characters in all"),
            ));
        }
        Ok(Self { template, sections })
    }

    /// The text as one body: a free note's text, or each section under its heading.
    pub fn render(&self) -> String {
        if self.template == Template::Free {
            return self.sections.get("body").cloned().unwrap_or_default();
        }
        let mut out = String::new();
        for name in self.template.sections() {
            if let Some(text) = self.sections.get(*name) {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                let mut heading = name.chars();
                if let Some(first) = heading.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(heading.as_str());
                }
                out.push_str(": ");
                out.push_str(text);
            }
        }
        out
    }

    fn encode(&self) -> CoreResult<Vec<u8>> {
        serde_json::to_vec(self).map_err(|_| CoreError::Integrity)
    }

    fn decode(format: u8, bytes: &[u8]) -> CoreResult<Self> {
        match format {
            // Written before templates: the body alone, as text.
            0 => {
                let body = String::from_utf8(bytes.to_vec()).map_err(|_| CoreError::Integrity)?;
                Ok(Self {
                    template: Template::Free,
                    sections: BTreeMap::from([("body".to_owned(), body)]),
                })
            }
            1 => serde_json::from_slice(bytes).map_err(|_| CoreError::Integrity),
            _ => Err(CoreError::Integrity),
        }
    }
}

/// When a session took place: a stated RFC 3339 time, neither in the future nor absurdly old.
pub(crate) fn occurred_at(
    value: Option<&str>,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, Invalid> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let at = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).map_err(
        |_| {
            Invalid::new(
                "occurred_at",
                "must be a date and time with offset, e.g. 2026-11-23T14:00:00Z",
            )
        },
    )?;
    if at > now + Duration::minutes(5) {
        return Err(Invalid::new("occurred_at", "must not be in the future"));
    }
    if at < now - Duration::days(366 * 50) {
        return Err(Invalid::new("occurred_at", "is more than 50 years ago"));
    }
    Ok(Some(at))
}

/// Whether a note first written at `written` about a session at `occurred` is a late entry.
pub(crate) fn is_late(written: UnixMillis, occurred: Option<UnixMillis>) -> bool {
    occurred.is_some_and(|o| written - o > LATE_AFTER.whole_milliseconds() as i64)
}

/// Who signed a note and the hash of exactly what they signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Signature {
    /// The signer: always the author.
    pub signed_by: ActorId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: OffsetDateTime,
    /// SHA-256 (hex) of the signed document: the note's ids, kind, author, version, session
    /// time and text.
    pub content_hash: String,
}

/// A supervisor's co-signature of a trainee's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Cosignature {
    /// The supervisor.
    pub signed_by: ActorId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: OffsetDateTime,
}

/// A note, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Note {
    /// Note id.
    pub id: NoteId,
    /// Whose record.
    pub client_id: ClientId,
    /// Record class.
    pub kind: NoteKind,
    /// Template.
    pub template: Template,
    /// Section name → text (a free note has one section, `body`).
    pub sections: BTreeMap<String, String>,
    /// The whole text: a free note's text, or each section under its heading.
    pub body: String,
    /// Draft, signed or locked.
    pub status: NoteStatus,
    /// Current version, from 1.
    pub version: u32,
    /// Who wrote it.
    pub author: ActorId,
    /// When it was first written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the draft was last edited.
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    /// When the session it documents took place.
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    /// Written more than a day after the session.
    pub late_entry: bool,
    /// The signed note this addendum corrects.
    pub addendum_of: Option<NoteId>,
    /// The author's signature.
    pub signature: Option<Signature>,
    /// The supervisor's co-signature.
    pub cosignature: Option<Cosignature>,
}

/// An earlier version of a draft, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NoteVersion {
    /// Version number.
    pub version: u32,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub written_at: OffsetDateTime,
    /// Template.
    pub template: Template,
    /// Section name → text.
    pub sections: BTreeMap<String, String>,
    /// The whole text.
    pub body: String,
}

const KIND: &str = "note";
const BODY_FIELD: &str = "body";
const HASH_FIELD: &str = "content_hash";

/// Where a version's body is bound: plain bodies (format 0) by the note id alone, structured
/// ones by note id and version.
fn body_record(id: NoteId, format: u8, version: u32) -> String {
    if format == 0 {
        id.to_string()
    } else {
        format!("{id}@v{version}")
    }
}

/// Where a note's sealed field belongs: the note (and version), its client, the field.
fn context<'a>(record: &'a str, client: &'a str, field: &'static str) -> FieldContext<'a> {
    FieldContext {
        kind: KIND,
        record_id: record,
        client_id: client,
        field,
    }
}

fn seal_body(
    key: &ClientKey,
    id: NoteId,
    client: ClientId,
    version: u32,
    content: &Content,
) -> CoreResult<Sealed<str>> {
    let (record, client) = (body_record(id, 1, version), client.to_string());
    Ok(key.seal(&context(&record, &client, BODY_FIELD), &content.encode()?)?)
}

fn open_body(
    key: &ClientKey,
    id: NoteId,
    client: ClientId,
    format: u8,
    version: u32,
    body: &Sealed<str>,
) -> CoreResult<Content> {
    let (record, client) = (body_record(id, format, version), client.to_string());
    Content::decode(
        format,
        &key.open(&context(&record, &client, BODY_FIELD), body)?,
    )
}

/// Seals a new note, at version 1, into a draft row.
pub(crate) fn seal(
    id: NoteId,
    client_id: ClientId,
    author: ActorId,
    key: &ClientKey,
    created_at: UnixMillis,
    kind: NoteKind,
    content: &Content,
) -> CoreResult<NoteRow> {
    let body = seal_body(key, id, client_id, 1, content)?;
    let mut row = NoteRow::draft(
        id,
        client_id,
        key.version(),
        kind.as_str(),
        author,
        created_at,
        body,
    );
    row.format = 1;
    Ok(row)
}

/// Seals a new version of a draft's text.
pub(crate) fn seal_version(
    row: &NoteRow,
    key: &ClientKey,
    version: u32,
    content: &Content,
) -> CoreResult<Sealed<str>> {
    seal_body(key, row.id, row.client_id, version, content)
}

/// The document a signature covers, hashed: everything that makes the note what it is.
fn signed_digest(row: &NoteRow, content: &Content) -> CoreResult<[u8; 32]> {
    let doc = serde_json::json!({
        "note": row.id.to_string(),
        "client": row.client_id.to_string(),
        "kind": row.kind,
        "author": row.author.to_string(),
        "version": row.version,
        "occurred_at": row.occurred_at,
        "addendum_of": row.addendum_of.map(|p| p.to_string()),
        "content": content,
    });
    let bytes = serde_json::to_vec(&doc).map_err(|_| CoreError::Integrity)?;
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    d.as_ref().try_into().map_err(|_| CoreError::Integrity)
}

/// The sealed hash of a row's current content, for signing it.
pub(crate) fn seal_signature_hash(row: &NoteRow, key: &ClientKey) -> CoreResult<Sealed<[u8]>> {
    let content = open_body(
        key,
        row.id,
        row.client_id,
        row.format,
        row.version,
        &row.body,
    )?;
    let digest = signed_digest(row, &content)?;
    let (id, client) = (row.id.to_string(), row.client_id.to_string());
    let ctx = context(&id, &client, HASH_FIELD);
    Ok(key.seal(&ctx, &digest)?)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Opens a stored note with its client's key; a signed note whose text no longer matches its
/// signature is an integrity failure.
pub(crate) fn open(row: &NoteRow, key: &ClientKey) -> CoreResult<Note> {
    let content = open_body(
        key,
        row.id,
        row.client_id,
        row.format,
        row.version,
        &row.body,
    )?;
    let status = NoteStatus::parse(&row.status)?;
    let signature = match (&row.signature, status) {
        (None, NoteStatus::Draft) => None,
        (Some(sig), NoteStatus::Signed | NoteStatus::Locked) => {
            let (id, client) = (row.id.to_string(), row.client_id.to_string());
            let ctx = context(&id, &client, HASH_FIELD);
            let stored = key.open(&ctx, &sig.content_hash)?;
            let expected = signed_digest(row, &content)?;
            if stored[..] != expected[..] {
                return Err(CoreError::Integrity);
            }
            Some(Signature {
                signed_by: sig.by,
                signed_at: from_millis(sig.at)?,
                content_hash: hex(&expected),
            })
        }
        _ => return Err(CoreError::Integrity),
    };
    let cosignature = match row.cosignature {
        Some(c) => Some(Cosignature {
            signed_by: c.by,
            signed_at: from_millis(c.at)?,
        }),
        None => None,
    };
    Ok(Note {
        id: row.id,
        client_id: row.client_id,
        kind: NoteKind::parse(&row.kind)?,
        template: content.template,
        body: content.render(),
        sections: content.sections,
        status,
        version: row.version,
        author: row.author,
        created_at: from_millis(row.created_at)?,
        updated_at: row.updated_at.map(from_millis).transpose()?,
        occurred_at: row.occurred_at.map(from_millis).transpose()?,
        late_entry: row.late_entry,
        addendum_of: row.addendum_of,
        signature,
        cosignature,
    })
}

/// Opens an earlier version of a note.
pub(crate) fn open_version(
    row: &NoteVersionRow,
    client: ClientId,
    key: &ClientKey,
) -> CoreResult<NoteVersion> {
    let content = open_body(key, row.note_id, client, row.format, row.version, &row.body)?;
    Ok(NoteVersion {
        version: row.version,
        written_at: from_millis(row.written_at)?,
        template: content.template,
        body: content.render(),
        sections: content.sections,
    })
}

impl NoteInput {
    /// The validated text and session time of a new note.
    pub(crate) fn validate(
        &self,
        now: OffsetDateTime,
    ) -> Result<(Content, Option<OffsetDateTime>), Invalid> {
        let content = Content::validate(self.content())?;
        let occurred = occurred_at(self.occurred_at.as_deref(), now)?;
        Ok((content, occurred))
    }
}

/// Milliseconds of an optional time.
pub(crate) fn millis(t: Option<OffsetDateTime>) -> Option<UnixMillis> {
    t.map(to_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: &str) -> Content {
        Content::validate(ContentInput {
            body: body.into(),
            ..ContentInput::default()
        })
        .unwrap()
    }

    fn soap(sections: &[(&str, &str)]) -> Result<Content, Invalid> {
        Content::validate(ContentInput {
            template: Template::Soap,
            sections: sections
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..ContentInput::default()
        })
    }

    fn row(key: &ClientKey, c: &Content) -> NoteRow {
        seal(
            NoteId::random(),
            ClientId::random(),
            ActorId::random(),
            key,
            0,
            NoteKind::Progress,
            c,
        )
        .unwrap()
    }

    #[test]
    fn a_note_moved_to_another_client_fails_to_open() {
        let key = ClientKey::generate(1).unwrap();
        let mut row = row(&key, &content("slept better"));
        assert_eq!(open(&row, &key).unwrap().body, "slept better");
        row.client_id = ClientId::random();
        assert!(matches!(open(&row, &key), Err(CoreError::Integrity)));
    }

    #[test]
    fn an_older_version_cannot_pass_for_the_current_one() {
        let key = ClientKey::generate(1).unwrap();
        let mut row = row(&key, &content("first"));
        let v1 = row.body.clone();
        row.body = seal_version(&row, &key, 2, &content("second")).unwrap();
        row.version = 2;
        assert_eq!(open(&row, &key).unwrap().body, "second");
        row.body = v1;
        assert!(matches!(open(&row, &key), Err(CoreError::Integrity)));
    }

    #[test]
    fn a_signature_covers_the_text_and_the_facts_about_it() {
        let key = ClientKey::generate(1).unwrap();
        let mut row = row(&key, &content("signed text"));
        row.signature = Some(crate::ports::SignatureRow {
            by: row.author,
            at: 5,
            content_hash: seal_signature_hash(&row, &key).unwrap(),
        });
        row.status = "locked".into();
        let note = open(&row, &key).unwrap();
        assert_eq!(note.signature.unwrap().content_hash.len(), 64);
        // Any change to what was signed breaks the signature, even with valid ciphertext.
        let mut altered = row.clone();
        altered.occurred_at = Some(1);
        assert!(matches!(open(&altered, &key), Err(CoreError::Integrity)));
        let mut swapped = row.clone();
        swapped.author = ActorId::random();
        assert!(matches!(open(&swapped, &key), Err(CoreError::Integrity)));
        // A locked note without a signature is not a state the lifecycle can produce.
        let mut unsigned = row;
        unsigned.signature = None;
        assert!(matches!(open(&unsigned, &key), Err(CoreError::Integrity)));
    }

    #[test]
    fn blank_and_oversized_bodies_are_refused() {
        let blank = ContentInput {
            body: " \n ".into(),
            ..ContentInput::default()
        };
        assert_eq!(Content::validate(blank).unwrap_err().field, "body");
        let huge = ContentInput {
            body: "x".repeat(MAX_BODY_CHARS + 1),
            ..ContentInput::default()
        };
        assert!(Content::validate(huge).is_err());
        let split = [
            ("subjective", "x".repeat(MAX_BODY_CHARS / 2 + 1)),
            ("plan", "x".repeat(MAX_BODY_CHARS / 2 + 1)),
        ];
        let split: Vec<(&str, &str)> = split.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(soap(&split).unwrap_err().field, "body");
    }

    #[test]
    fn templates_take_only_their_own_sections_and_never_echo_a_wrong_name() {
        let ok = soap(&[("subjective", "reports better sleep"), ("plan", "continue")]).unwrap();
        assert_eq!(
            ok.render(),
            "Subjective: reports better sleep\n\nPlan: continue"
        );
        let err = soap(&[("SecretSection", "x")]).unwrap_err();
        assert_eq!(err.field, "sections");
        assert!(!err.to_string().contains("SecretSection"));
        assert!(
            err.to_string()
                .contains("subjective, objective, assessment, plan")
        );
        assert_eq!(soap(&[("plan", "  ")]).unwrap_err().field, "sections");
        let body_in_soap = ContentInput {
            template: Template::Soap,
            body: "text".into(),
            ..ContentInput::default()
        };
        assert_eq!(Content::validate(body_in_soap).unwrap_err().field, "body");
        let sections_in_free = ContentInput {
            body: "text".into(),
            sections: BTreeMap::from([("plan".to_owned(), "x".to_owned())]),
            ..ContentInput::default()
        };
        assert_eq!(
            Content::validate(sections_in_free).unwrap_err().field,
            "sections"
        );
        for t in [Template::Dap, Template::Birp] {
            let first = t.sections()[0];
            let c = Content::validate(ContentInput {
                template: t,
                sections: BTreeMap::from([(first.to_owned(), "x".to_owned())]),
                ..ContentInput::default()
            })
            .unwrap();
            assert!(c.render().starts_with(&first[..1].to_uppercase()));
        }
    }

    #[test]
    fn session_times_in_the_future_or_unparseable_are_refused() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert_eq!(occurred_at(None, now).unwrap(), None);
        assert!(occurred_at(Some("2026-12-15T10:00:00Z"), now).is_ok());
        let future = occurred_at(Some("2030-01-01T00:00:00Z"), now).unwrap_err();
        assert_eq!(future.field, "occurred_at");
        assert!(occurred_at(Some("yesterday"), now).is_err());
        assert!(occurred_at(Some("1900-01-01T00:00:00Z"), now).is_err());
    }

    #[test]
    fn a_note_first_written_more_than_a_day_after_the_session_is_late() {
        let day = 86_400_000;
        assert!(!is_late(10 * day, None));
        assert!(!is_late(10 * day, Some(9 * day)));
        assert!(is_late(10 * day, Some(9 * day - 1)));
    }
}
