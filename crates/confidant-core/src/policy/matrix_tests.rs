//! The generated matrix: every role × operation × record class × relationship, decided by
//! `decide` and compared with expectations written out by hand from the rules in the design
//! and the policy issue. Nothing here reads the policy table; names and facts are built
//! independently so that a wrong row in the table shows up as a mismatch.

use super::{Decision, DenyReason, Facts, Op, RecordClass, StaffRole, decide};
use crate::audit::Purpose;

/// The relationships, in the column order of `EXPECTED`.
#[derive(Debug, Clone, Copy)]
enum Relationship {
    /// On the care team, not the record's author.
    OnCareTeam,
    /// On the care team and the record's author.
    AuthorOnCareTeam,
    /// Not on the care team; client not restricted.
    NotOnCareTeam,
    /// Break-glass grant, not on the team, client not restricted, purpose Emergency.
    BreakGlassActive,
    /// Break-glass grant on a restricted client, purpose Emergency.
    BreakGlassRestricted,
    /// Break-glass grant but purpose Treatment (no emergency stated).
    BreakGlassWithoutEmergency,
    /// Shared for supervision, not on the team, client not restricted.
    SharedForSupervision,
    /// Restricted client, not on the team, no break-glass.
    RestrictedClient,
    /// Not on the team, client not restricted, access window closed.
    AccessWindowClosed,
}

const RELATIONSHIPS: [Relationship; 9] = [
    Relationship::OnCareTeam,
    Relationship::AuthorOnCareTeam,
    Relationship::NotOnCareTeam,
    Relationship::BreakGlassActive,
    Relationship::BreakGlassRestricted,
    Relationship::BreakGlassWithoutEmergency,
    Relationship::SharedForSupervision,
    Relationship::RestrictedClient,
    Relationship::AccessWindowClosed,
];

fn situation(rel: Relationship) -> (Facts, Purpose) {
    let base = Facts {
        access_window_open: true,
        nda_on_file: true,
        has_supervisor: true,
        ..Facts::default()
    };
    let glass = Facts {
        break_glass: true,
        ..base
    };
    match rel {
        Relationship::OnCareTeam => (
            Facts {
                on_care_team: true,
                ..base
            },
            Purpose::Treatment,
        ),
        Relationship::AuthorOnCareTeam => (
            Facts {
                on_care_team: true,
                author: true,
                ..base
            },
            Purpose::Treatment,
        ),
        Relationship::NotOnCareTeam => (base, Purpose::Treatment),
        Relationship::BreakGlassActive => (glass, Purpose::Emergency),
        Relationship::BreakGlassRestricted => (
            Facts {
                restricted: true,
                ..glass
            },
            Purpose::Emergency,
        ),
        Relationship::BreakGlassWithoutEmergency => (glass, Purpose::Treatment),
        Relationship::SharedForSupervision => (
            Facts {
                shared_for_supervision: true,
                ..base
            },
            Purpose::Treatment,
        ),
        Relationship::RestrictedClient => (
            Facts {
                restricted: true,
                ..base
            },
            Purpose::Treatment,
        ),
        Relationship::AccessWindowClosed => (
            Facts {
                access_window_open: false,
                ..base
            },
            Purpose::Treatment,
        ),
    }
}

fn role_name(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Owner => "owner",
        StaffRole::PrivacyOfficer => "privacy_officer",
        StaffRole::Clinician => "clinician",
        StaffRole::Supervisor => "supervisor",
        StaffRole::Trainee => "trainee",
        StaffRole::FrontDesk => "front_desk",
        StaffRole::Biller => "biller",
        StaffRole::VirtualAssistant => "virtual_assistant",
    }
}

fn class_name(class: RecordClass) -> &'static str {
    match class {
        RecordClass::Demographics => "demographics",
        RecordClass::Appointments => "appointments",
        RecordClass::ProgressNotes => "progress_notes",
        RecordClass::PsychotherapyNotes => "psychotherapy_notes",
        RecordClass::Documents => "documents",
        RecordClass::Billing => "billing",
        RecordClass::Consents => "consents",
        RecordClass::Messages => "messages",
        RecordClass::Audit => "audit",
    }
}

const ROLES: [StaffRole; 8] = [
    StaffRole::Owner,
    StaffRole::PrivacyOfficer,
    StaffRole::Clinician,
    StaffRole::Supervisor,
    StaffRole::Trainee,
    StaffRole::FrontDesk,
    StaffRole::Biller,
    StaffRole::VirtualAssistant,
];
const CLASSES: [RecordClass; 9] = [
    RecordClass::Demographics,
    RecordClass::Appointments,
    RecordClass::ProgressNotes,
    RecordClass::PsychotherapyNotes,
    RecordClass::Documents,
    RecordClass::Billing,
    RecordClass::Consents,
    RecordClass::Messages,
    RecordClass::Audit,
];
/// In the letter order of each cell: Read, List, Create, Update.
const OPS: [Op; 4] = [Op::Read, Op::List, Op::Create, Op::Update];

/// One letter per outcome.
fn code(decision: Decision) -> char {
    match decision {
        Decision::Allow { flagged: false } => 'A',
        Decision::Allow { flagged: true } => 'G',
        Decision::Deny(DenyReason::NotVisible) => 'N',
        Decision::Deny(DenyReason::Forbidden) => 'F',
        Decision::Deny(DenyReason::SelfEscalation) => 'E',
        Decision::Deny(DenyReason::OutsideAccessWindow) => 'W',
        Decision::Deny(DenyReason::NdaMissing) => 'D',
        Decision::Deny(DenyReason::NeedsSupervisor) => 'S',
        Decision::Deny(DenyReason::NeedsReason) => 'R',
    }
}

/// Written by hand from the rules. One row per role × class; one cell per relationship; one
/// letter per operation (Read, List, Create, Update):
/// A allow, G allow flagged (break-glass), N not visible (404), F forbidden (403),
/// R needs an emergency reason, W outside access window, D NDA missing, S needs supervisor.
///
/// Columns: team = on care team; author = on team and author; none = not on team;
/// glass = break-glass (Emergency); glass_r = break-glass on a restricted client (Emergency);
/// glass_nr = break-glass with purpose Treatment; shared = shared for supervision;
/// restr = restricted client, off the team; window = off the team, access window closed.
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, [&str; 9])] = &[
    //                                      team    author  none    glass   glass_r glass_nr shared  restr   window
    ("owner", "demographics",              ["AAAA", "AAAA", "AAAA", "AAAA", "NNNN", "AAAA", "AAAA", "NNNN", "AAAA"]),
    ("owner", "appointments",              ["AAAA", "AAAA", "AAAA", "AAAA", "NNNN", "AAAA", "AAAA", "NNNN", "AAAA"]),
    ("owner", "progress_notes",            ["AAAA", "AAAA", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("owner", "psychotherapy_notes",       ["FFAF", "AAAA", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("owner", "documents",                 ["AAAA", "AAAA", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("owner", "billing",                   ["AAAA", "AAAA", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("owner", "consents",                  ["AAAA", "AAAA", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("owner", "messages",                  ["AAAA", "AAAA", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("owner", "audit",                     ["AAFF", "AAFF", "AAFF", "AAFF", "NNNN", "AAFF", "AAFF", "NNNN", "AAFF"]),

    ("privacy_officer", "demographics",    ["AAFF", "AAFF", "AAFF", "AAFF", "NNNN", "AAFF", "AAFF", "NNNN", "AAFF"]),
    ("privacy_officer", "appointments",    ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("privacy_officer", "progress_notes",  ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("privacy_officer", "psychotherapy_notes", ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("privacy_officer", "documents",       ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("privacy_officer", "billing",         ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("privacy_officer", "consents",        ["AAFF", "AAFF", "AAFF", "AAFF", "NNNN", "AAFF", "AAFF", "NNNN", "AAFF"]),
    ("privacy_officer", "messages",        ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("privacy_officer", "audit",           ["AAFF", "AAFF", "AAFF", "AAFF", "NNNN", "AAFF", "AAFF", "NNNN", "AAFF"]),

    ("clinician", "demographics",          ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "appointments",          ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "progress_notes",        ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "psychotherapy_notes",   ["FFAF", "AAAA", "NNNN", "FFFF", "FFFF", "FFFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "documents",             ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "billing",               ["AAAA", "AAAA", "NNNN", "FFFF", "FFFF", "FFFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "consents",              ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "messages",              ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "NNNN", "NNNN", "NNNN"]),
    ("clinician", "audit",                 ["FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "FFFF", "NNNN", "NNNN", "NNNN"]),

    ("supervisor", "demographics",         ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "AAFF", "NNNN", "NNNN"]),
    ("supervisor", "appointments",         ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "FFFF", "NNNN", "NNNN"]),
    ("supervisor", "progress_notes",       ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "AAFF", "NNNN", "NNNN"]),
    ("supervisor", "psychotherapy_notes",  ["FFAF", "AAAA", "NNNN", "FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "NNNN"]),
    ("supervisor", "documents",            ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "AAFF", "NNNN", "NNNN"]),
    ("supervisor", "billing",              ["AAAA", "AAAA", "NNNN", "FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "NNNN"]),
    ("supervisor", "consents",             ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "AAFF", "NNNN", "NNNN"]),
    ("supervisor", "messages",             ["AAAA", "AAAA", "NNNN", "GGFF", "GGFF", "RRFF", "FFFF", "NNNN", "NNNN"]),
    ("supervisor", "audit",                ["FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "NNNN"]),

    ("trainee", "demographics",            ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "appointments",            ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "progress_notes",          ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "psychotherapy_notes",     ["FFAF", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "documents",               ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "billing",                 ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "consents",                ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "messages",                ["AAAA", "AAAA", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),
    ("trainee", "audit",                   ["FFFF", "FFFF", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN", "NNNN"]),

    ("front_desk", "demographics",         ["AAAA", "AAAA", "AAAA", "AAAA", "NNNN", "AAAA", "AAAA", "NNNN", "AAAA"]),
    ("front_desk", "appointments",         ["AAAA", "AAAA", "AAAA", "AAAA", "NNNN", "AAAA", "AAAA", "NNNN", "AAAA"]),
    ("front_desk", "progress_notes",       ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("front_desk", "psychotherapy_notes",  ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("front_desk", "documents",            ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("front_desk", "billing",              ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("front_desk", "consents",             ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("front_desk", "messages",             ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("front_desk", "audit",                ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),

    ("biller", "demographics",             ["AAFF", "AAFF", "AAFF", "AAFF", "NNNN", "AAFF", "AAFF", "NNNN", "AAFF"]),
    ("biller", "appointments",             ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("biller", "progress_notes",           ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("biller", "psychotherapy_notes",      ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("biller", "documents",                ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("biller", "billing",                  ["AAAA", "AAAA", "AAAA", "AAAA", "NNNN", "AAAA", "AAAA", "NNNN", "AAAA"]),
    ("biller", "consents",                 ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("biller", "messages",                 ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("biller", "audit",                    ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),

    ("virtual_assistant", "demographics",  ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "appointments",  ["AAAA", "AAAA", "AAAA", "AAAA", "NNNN", "AAAA", "AAAA", "NNNN", "WWWW"]),
    ("virtual_assistant", "progress_notes", ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "psychotherapy_notes", ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "documents",     ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "billing",       ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "consents",      ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "messages",      ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
    ("virtual_assistant", "audit",         ["FFFF", "FFFF", "FFFF", "FFFF", "NNNN", "FFFF", "FFFF", "NNNN", "FFFF"]),
];

#[test]
fn the_expected_matrix_covers_every_role_and_class_exactly_once() {
    let mut problems = Vec::new();
    for role in ROLES {
        for class in CLASSES {
            let rows = EXPECTED
                .iter()
                .filter(|(r, c, _)| *r == role_name(role) && *c == class_name(class))
                .count();
            if rows != 1 {
                problems.push(format!(
                    "{} × {}: {rows} rows",
                    role_name(role),
                    class_name(class)
                ));
            }
        }
    }
    for (role, class, cells) in EXPECTED {
        if !ROLES.iter().any(|r| role_name(*r) == *role)
            || !CLASSES.iter().any(|c| class_name(*c) == *class)
        {
            problems.push(format!("unknown row {role} × {class}"));
        }
        for cell in cells {
            if cell.len() != OPS.len() || !cell.chars().all(|c| "AGNFEWDSR".contains(c)) {
                problems.push(format!("{role} × {class}: malformed cell {cell:?}"));
            }
        }
    }
    assert_eq!(EXPECTED.len(), ROLES.len() * CLASSES.len());
    assert!(
        problems.is_empty(),
        "the expected matrix is incomplete:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_role_op_class_and_relationship_decides_as_written() {
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for role in ROLES {
        for class in CLASSES {
            let Some((_, _, cells)) = EXPECTED
                .iter()
                .find(|(r, c, _)| *r == role_name(role) && *c == class_name(class))
            else {
                mismatches.push(format!(
                    "{} × {}: no expected row",
                    role_name(role),
                    class_name(class)
                ));
                continue;
            };
            for (rel, cell) in RELATIONSHIPS.iter().zip(cells) {
                let (facts, purpose) = situation(*rel);
                for (op, want) in OPS.iter().zip(cell.chars()) {
                    let got = decide(role, *op, class, &facts, purpose);
                    checked += 1;
                    if code(got) != want {
                        mismatches.push(format!(
                            "{} {:?} {} {:?}: expected {want}, got {} ({got:?})",
                            role_name(role),
                            op,
                            class_name(class),
                            rel,
                            code(got),
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(
        checked,
        ROLES.len() * CLASSES.len() * RELATIONSHIPS.len() * OPS.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} cells differ from the written policy:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Administrative expectations, by hand. Columns: plain facts, as primary clinician, acting on
/// oneself. Letters per op in the order ManageUsers, ReadAudit, ReviewBreakGlass,
/// AssignCareTeam, CreateClient, BreakGlass.
#[rustfmt::skip]
const EXPECTED_ADMIN: &[(&str, [&str; 3])] = &[
    //                      plain     primary   self
    ("owner",             ["AAAAAF", "AAAAAF", "EAAEAF"]),
    ("privacy_officer",   ["FAAFFF", "FAAFFF", "EAAEFF"]),
    ("clinician",         ["FFFFAA", "FFFAAA", "EFFEAA"]),
    ("supervisor",        ["FFFFAA", "FFFAAA", "EFFEAA"]),
    ("trainee",           ["FFFFFF", "FFFFFF", "EFFEFF"]),
    ("front_desk",        ["FFFFAF", "FFFFAF", "EFFEAF"]),
    ("biller",            ["FFFFFF", "FFFFFF", "EFFEFF"]),
    ("virtual_assistant", ["FFFFFF", "FFFFFF", "EFFEFF"]),
];

#[test]
fn every_role_and_admin_action_decides_as_written() {
    use super::{AdminOp, decide_admin};
    let ops = [
        AdminOp::ManageUsers,
        AdminOp::ReadAudit,
        AdminOp::ReviewBreakGlass,
        AdminOp::AssignCareTeam,
        AdminOp::CreateClient,
        AdminOp::BreakGlass,
    ];
    let situations = [
        ("plain", Facts::default()),
        (
            "primary",
            Facts {
                on_care_team: true,
                primary_clinician: true,
                ..Facts::default()
            },
        ),
        (
            "self",
            Facts {
                self_target: true,
                ..Facts::default()
            },
        ),
    ];
    assert_eq!(EXPECTED_ADMIN.len(), ROLES.len());
    let mut mismatches = Vec::new();
    for role in ROLES {
        let Some((_, cells)) = EXPECTED_ADMIN.iter().find(|(r, _)| *r == role_name(role)) else {
            mismatches.push(format!("{}: no expected row", role_name(role)));
            continue;
        };
        for ((name, facts), cell) in situations.iter().zip(cells) {
            assert_eq!(
                cell.len(),
                ops.len(),
                "{}: malformed cell {cell:?}",
                role_name(role)
            );
            for (op, want) in ops.iter().zip(cell.chars()) {
                let got = decide_admin(role, *op, facts);
                if code(got) != want {
                    mismatches.push(format!(
                        "{} {op:?} {name}: expected {want}, got {got:?}",
                        role_name(role)
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "admin decisions differ:\n{}",
        mismatches.join("\n")
    );
}
