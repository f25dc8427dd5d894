//! Helpers shared by the core's record tests (appointments, assessments, attachments): staff
//! hired through the real invitation flow, a minimal client, and matchers for refusals.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};

use confidant_core::auth::password::StaffPassword;
use confidant_core::staff::{INVITATION_TTL, NewStaff};
use confidant_core::{Access, Actor, ClientInput, CoreError, Credential, StaffRole, Vault};

/// Every test account's password (long enough, not on the common list).
pub const PASSWORD: &str = "violet harbour quietly drifting";

/// An active staff account in `role`, invited by `owner` and accepted, acting through a
/// signed-in session; `next` numbers the e-mail addresses.
pub fn hire(vault: &Vault, owner: &Access, next: &AtomicUsize, role: &str) -> Actor {
    let n = next.fetch_add(1, Ordering::SeqCst);
    let invitation = vault
        .invite_staff(
            owner,
            NewStaff {
                email: format!("{role}{n}@clinic.example"),
                display_name: format!("Test {role}"),
                role: role.into(),
            },
            INVITATION_TTL,
        )
        .unwrap();
    let id = vault
        .accept_invitation(&invitation.token, &StaffPassword::new(PASSWORD.into()))
        .unwrap();
    Actor {
        id,
        role: StaffRole::parse(role).unwrap(),
        credential: Credential::Session,
    }
}

/// A client with only the required fields.
pub fn client_input(name: &str) -> ClientInput {
    ClientInput {
        legal_name: name.into(),
        preferred_name: None,
        date_of_birth: "1979-11-30".into(),
        phone: None,
        email: None,
        address: None,
        emergency_contact: None,
    }
}

/// The field an `Invalid` refusal names; panics on anything else.
pub fn invalid_field<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    match r {
        Err(CoreError::Invalid(i)) => i.field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Whether the policy refused it (403).
pub fn is_forbidden<T: std::fmt::Debug>(r: Result<T, CoreError>) -> bool {
    matches!(r, Err(CoreError::Forbidden(_)))
}
