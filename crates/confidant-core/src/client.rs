//! Clients: their demographics, how a request for a new client is validated, and how each field
//! is sealed under the client's own data key before it reaches the store.
//!
//! Validation messages name the field and the rule, never the value.

use confidant_crypto::{ClientKey, FieldContext, Sealed};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::ClientId;
use crate::ports::{ClientRow, UnixMillis, from_millis};
use crate::text::{self, Limit};

/// A new client as a request states it (strings as given; validated by `NewClient::validate`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    /// Legal name.
    pub legal_name: String,
    /// Name the client goes by.
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date_of_birth: String,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// Emergency contact (name and how to reach them).
    #[serde(default)]
    pub emergency_contact: Option<String>,
}

/// A validated new client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    /// Legal name.
    pub legal_name: String,
    /// Preferred name.
    pub preferred_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Emergency contact.
    pub emergency_contact: Option<String>,
}

const NAME: Limit = Limit {
    max_chars: 200,
    multiline: false,
};
const PHONE: Limit = Limit {
    max_chars: 40,
    multiline: false,
};
const EMAIL: Limit = Limit {
    max_chars: 254,
    multiline: false,
};
const LONG: Limit = Limit {
    max_chars: 1000,
    multiline: true,
};

impl NewClient {
    /// Checks every field against its rule; `today` bounds the date of birth.
    pub fn validate(input: ClientInput, today: Date) -> Result<Self, Invalid> {
        let legal_name = text::required("legal_name", input.legal_name, NAME)?;
        let preferred_name = text::optional("preferred_name", input.preferred_name, NAME)?;
        let date_of_birth = text::date_of_birth("date_of_birth", &input.date_of_birth, today)?;
        let phone = text::optional("phone", input.phone, PHONE)?;
        if let Some(p) = &phone {
            text::phone("phone", p)?;
        }
        let email = text::optional("email", input.email, EMAIL)?;
        if let Some(e) = &email {
            text::email("email", e)?;
        }
        let address = text::optional("address", input.address, LONG)?;
        let emergency_contact = text::optional("emergency_contact", input.emergency_contact, LONG)?;
        Ok(Self {
            legal_name,
            preferred_name,
            date_of_birth,
            phone,
            email,
            address,
            emergency_contact,
        })
    }
}

/// Whether a client is in active care or discharged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    /// In care.
    Active,
    /// Care has ended: the record stays whole and can still gain late notes and addenda; a new
    /// episode of care needs readmission first.
    Discharged,
}

/// A client's demographics, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Client {
    /// Client id.
    pub id: ClientId,
    /// Legal name.
    pub legal_name: String,
    /// Preferred name.
    pub preferred_name: Option<String>,
    /// Date of birth.
    #[serde(with = "crate::text::ymd")]
    pub date_of_birth: Date,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Emergency contact.
    pub emergency_contact: Option<String>,
    /// When the client was added.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Active or discharged.
    pub status: ClientStatus,
    /// When they were discharged, if they are.
    #[serde(with = "time::serde::rfc3339::option")]
    pub discharged_at: Option<OffsetDateTime>,
}

/// Record kind bound into every client field's associated data.
const KIND: &str = "client";

/// Field names, in the order of `ClientRow`'s sealed columns.
const FIELDS: [&str; 7] = [
    "legal_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "emergency_contact",
];

/// Encodes an optional string so absence is sealed too (presence must not leak).
pub(crate) fn encode(value: Option<&str>) -> Vec<u8> {
    match value {
        None => vec![0],
        Some(s) => {
            let mut v = Vec::with_capacity(s.len() + 1);
            v.push(1);
            v.extend_from_slice(s.as_bytes());
            v
        }
    }
}

/// Decodes what `encode` wrote; anything else is an integrity failure.
pub(crate) fn decode(bytes: &[u8]) -> CoreResult<Option<String>> {
    match bytes.split_first() {
        Some((0, [])) => Ok(None),
        Some((1, rest)) => String::from_utf8(rest.to_vec())
            .map(Some)
            .map_err(|_| CoreError::Integrity),
        _ => Err(CoreError::Integrity),
    }
}

/// The text a client is found by in search: legal and preferred name.
pub(crate) fn search_name(c: &NewClient) -> String {
    let mut name = c.legal_name.clone();
    if let Some(preferred) = &c.preferred_name {
        name.push(' ');
        name.push_str(preferred);
    }
    name
}

/// Seals a new client's fields into a row.
pub(crate) fn seal(
    id: ClientId,
    key: &ClientKey,
    created_at: UnixMillis,
    c: &NewClient,
) -> CoreResult<ClientRow> {
    let id_text = id.to_string();
    let dob = text::ymd::format(c.date_of_birth);
    let values: [Option<&str>; 7] = [
        Some(&c.legal_name),
        c.preferred_name.as_deref(),
        Some(&dob),
        c.phone.as_deref(),
        c.email.as_deref(),
        c.address.as_deref(),
        c.emergency_contact.as_deref(),
    ];
    let mut sealed = Vec::with_capacity(7);
    for (field, value) in FIELDS.iter().zip(values) {
        let ctx = FieldContext {
            kind: KIND,
            record_id: &id_text,
            client_id: &id_text,
            field,
        };
        sealed.push(key.seal::<str>(&ctx, &encode(value))?);
    }
    let [
        legal_name,
        preferred_name,
        date_of_birth,
        phone,
        email,
        address,
        emergency_contact,
    ]: [Sealed<str>; 7] = sealed.try_into().map_err(|_| CoreError::Integrity)?;
    Ok(ClientRow {
        id,
        key_version: key.version(),
        created_at,
        legal_name,
        preferred_name,
        date_of_birth,
        phone,
        email,
        address,
        emergency_contact,
        discharged_at: None,
    })
}

/// Opens a stored client row with that client's key.
pub(crate) fn open(row: &ClientRow, key: &ClientKey) -> CoreResult<Client> {
    let id_text = row.id.to_string();
    let columns = [
        &row.legal_name,
        &row.preferred_name,
        &row.date_of_birth,
        &row.phone,
        &row.email,
        &row.address,
        &row.emergency_contact,
    ];
    let mut opened = Vec::with_capacity(7);
    for (field, sealed) in FIELDS.iter().zip(columns) {
        let ctx = FieldContext {
            kind: KIND,
            record_id: &id_text,
            client_id: &id_text,
            field,
        };
        opened.push(decode(&key.open(&ctx, sealed)?)?);
    }
    let [
        legal_name,
        preferred_name,
        dob,
        phone,
        email,
        address,
        emergency_contact,
    ]: [Option<String>; 7] = opened.try_into().map_err(|_| CoreError::Integrity)?;
    let date_of_birth = dob
        .as_deref()
        .and_then(|d| text::ymd::parse(d).ok())
        .ok_or(CoreError::Integrity)?;
    Ok(Client {
        id: row.id,
        legal_name: legal_name.ok_or(CoreError::Integrity)?,
        preferred_name,
        date_of_birth,
        phone,
        email,
        address,
        emergency_contact,
        created_at: from_millis(row.created_at)?,
        status: match row.discharged_at {
            Some(_) => ClientStatus::Discharged,
            None => ClientStatus::Active,
        },
        discharged_at: row.discharged_at.map(from_millis).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> ClientInput {
        ClientInput {
            legal_name: "Test Person".into(),
            preferred_name: None,
            date_of_birth: "1990-04-01".into(),
            phone: Some("+1 (555) 010-0199".into()),
            email: Some("someone@example.org".into()),
            address: None,
            emergency_contact: None,
        }
    }

    #[test]
    fn a_sealed_client_opens_to_the_same_demographics() {
        let c = NewClient::validate(input(), date!(2026 - 11 - 23)).unwrap();
        let key = ClientKey::generate(1).unwrap();
        let id = ClientId::random();
        let row = seal(id, &key, 1_700_000_000_000, &c).unwrap();
        let back = open(&row, &key).unwrap();
        assert_eq!(back.legal_name, c.legal_name);
        assert_eq!(back.preferred_name, None);
        assert_eq!(back.date_of_birth, c.date_of_birth);
        assert_eq!(back.email, c.email);
    }

    #[test]
    fn a_field_moved_to_another_column_fails_to_open() {
        let c = NewClient::validate(input(), date!(2026 - 11 - 23)).unwrap();
        let key = ClientKey::generate(1).unwrap();
        let mut row = seal(ClientId::random(), &key, 0, &c).unwrap();
        row.preferred_name = row.legal_name.clone();
        assert!(matches!(open(&row, &key), Err(CoreError::Integrity)));
    }

    #[test]
    fn absent_and_present_fields_seal_to_the_same_length() {
        let mut with = input();
        with.preferred_name = Some("Pat".into());
        let key = ClientKey::generate(1).unwrap();
        let a = seal(
            ClientId::random(),
            &key,
            0,
            &NewClient::validate(input(), date!(2026 - 01 - 01)).unwrap(),
        )
        .unwrap();
        let b = seal(
            ClientId::random(),
            &key,
            0,
            &NewClient::validate(with, date!(2026 - 01 - 01)).unwrap(),
        )
        .unwrap();
        assert_eq!(
            a.preferred_name.as_bytes().len(),
            b.preferred_name.as_bytes().len()
        );
    }

    #[test]
    fn validation_names_the_field_and_never_the_value() {
        let mut bad = input();
        bad.email = Some("SecretPerson-at-nowhere".into());
        let err = NewClient::validate(bad, date!(2026 - 11 - 23)).unwrap_err();
        assert_eq!(err.field, "email");
        assert!(!err.to_string().contains("SecretPerson"));
    }
}
