//! Focused tests of the promises the policy keeps, exhaustive over the facts where cheap, and
//! property tests over random inputs.

use proptest::prelude::*;

use super::{
    AdminOp, Decision, DenyReason, Facts, Op, RecordClass, StaffRole, decide, decide_admin,
};
use crate::audit::Purpose;

const PURPOSES: [Purpose; 6] = [
    Purpose::Treatment,
    Purpose::Payment,
    Purpose::Operations,
    Purpose::Emergency,
    Purpose::Legal,
    Purpose::ClientRequest,
];

const ALLOW: Decision = Decision::Allow { flagged: false };
const FLAGGED: Decision = Decision::Allow { flagged: true };

/// Facts from ten bits, in field order.
fn facts_from_bits(bits: u16) -> Facts {
    let bit = |i: u16| bits & (1 << i) != 0;
    Facts {
        on_care_team: bit(0),
        primary_clinician: bit(1),
        author: bit(2),
        shared_for_supervision: bit(3),
        break_glass: bit(4),
        restricted: bit(5),
        access_window_open: bit(6),
        nda_on_file: bit(7),
        has_supervisor: bit(8),
        self_target: bit(9),
    }
}

/// Every combination of facts (1,024).
fn all_facts() -> impl Iterator<Item = Facts> {
    (0..1u16 << 10).map(facts_from_bits)
}

/// Every (facts, op, purpose) for one role and class.
fn every_situation() -> impl Iterator<Item = (Facts, Op, Purpose)> {
    all_facts().flat_map(|f| {
        Op::ALL
            .into_iter()
            .flat_map(move |op| PURPOSES.map(|p| (f, op, p)))
    })
}

/// A client on the actor's care team, with every actor-side condition met.
fn on_team() -> Facts {
    Facts {
        on_care_team: true,
        ..ready()
    }
}

/// No relationship to the client, but every actor-side condition met.
fn ready() -> Facts {
    Facts {
        access_window_open: true,
        nda_on_file: true,
        has_supervisor: true,
        ..Facts::default()
    }
}

#[test]
fn role_names_round_trip_and_unknown_names_are_refused() {
    for role in StaffRole::ALL {
        assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        assert_eq!(role.to_string(), role.as_str());
    }
    assert_eq!(
        StaffRole::parse("privacy_officer"),
        Some(StaffRole::PrivacyOfficer)
    );
    assert_eq!(StaffRole::parse("Owner"), None);
    assert_eq!(StaffRole::parse("client"), None);
    assert_eq!(StaffRole::parse(""), None);
}

#[test]
fn biller_never_sees_progress_notes() {
    for (facts, op, purpose) in every_situation() {
        let d = decide(
            StaffRole::Biller,
            op,
            RecordClass::ProgressNotes,
            &facts,
            purpose,
        );
        assert!(!d.is_allowed(), "{op:?} {facts:?} {purpose:?} gave {d:?}");
    }
    // And says so plainly for a client they do bill.
    let d = decide(
        StaffRole::Biller,
        Op::Read,
        RecordClass::ProgressNotes,
        &ready(),
        Purpose::Payment,
    );
    assert_eq!(d, Decision::Deny(DenyReason::Forbidden));
    let d = decide(
        StaffRole::Biller,
        Op::Read,
        RecordClass::Billing,
        &ready(),
        Purpose::Payment,
    );
    assert_eq!(d, ALLOW);
}

#[test]
fn psychotherapy_notes_are_readable_by_their_author_alone() {
    for role in StaffRole::ALL {
        for (facts, op, purpose) in every_situation() {
            if op == Op::Create {
                continue;
            }
            let d = decide(role, op, RecordClass::PsychotherapyNotes, &facts, purpose);
            if d.is_allowed() {
                assert!(
                    facts.author && facts.on_care_team,
                    "{role:?} {op:?} {facts:?} gave {d:?}"
                );
                assert_eq!(
                    d, ALLOW,
                    "an allowed psychotherapy note access is never break-glass"
                );
            }
        }
    }
    let author = Facts {
        author: true,
        ..on_team()
    };
    for role in [
        StaffRole::Clinician,
        StaffRole::Supervisor,
        StaffRole::Trainee,
    ] {
        for op in [Op::Read, Op::List, Op::Update] {
            let read = |f: &Facts| {
                decide(
                    role,
                    op,
                    RecordClass::PsychotherapyNotes,
                    f,
                    Purpose::Treatment,
                )
            };
            assert_eq!(read(&author), ALLOW, "{role:?} {op:?} as author");
            assert_eq!(
                read(&on_team()),
                Decision::Deny(DenyReason::Forbidden),
                "{role:?} {op:?} as colleague"
            );
        }
        let create = decide(
            role,
            Op::Create,
            RecordClass::PsychotherapyNotes,
            &on_team(),
            Purpose::Treatment,
        );
        assert_eq!(create, ALLOW, "{role:?} writes a new psychotherapy note");
    }
    // The owner of a practice who is also its therapist keeps their own, and only their own.
    let owner = |f: &Facts| {
        decide(
            StaffRole::Owner,
            Op::Read,
            RecordClass::PsychotherapyNotes,
            f,
            Purpose::Treatment,
        )
    };
    assert_eq!(owner(&author), ALLOW);
    assert_eq!(owner(&on_team()), Decision::Deny(DenyReason::Forbidden));
}

#[test]
fn restricted_clients_are_not_visible_outside_their_care_team_even_to_the_owner() {
    let hidden = Facts {
        restricted: true,
        ..ready()
    };
    for role in StaffRole::ALL {
        for class in RecordClass::ALL {
            for op in Op::ALL {
                for purpose in PURPOSES {
                    let d = decide(role, op, class, &hidden, purpose);
                    assert_eq!(
                        d,
                        Decision::Deny(DenyReason::NotVisible),
                        "{role:?} {op:?} {class:?}"
                    );
                }
            }
        }
    }
    // Break-glass is honoured only for clinicians and supervisors.
    let glass = Facts {
        break_glass: true,
        ..hidden
    };
    for role in StaffRole::ALL {
        let d = decide(
            role,
            Op::Read,
            RecordClass::Demographics,
            &glass,
            Purpose::Emergency,
        );
        let opens = matches!(role, StaffRole::Clinician | StaffRole::Supervisor);
        assert_eq!(
            d.is_allowed(),
            opens,
            "{role:?} with a break-glass grant gave {d:?}"
        );
    }
    // On the care team the owner sees them as any other client.
    let team = Facts {
        on_care_team: true,
        ..hidden
    };
    let d = decide(
        StaffRole::Owner,
        Op::Read,
        RecordClass::Demographics,
        &team,
        Purpose::Operations,
    );
    assert_eq!(d, ALLOW);
}

#[test]
fn break_glass_needs_an_emergency_purpose_and_is_flagged() {
    let glass = Facts {
        break_glass: true,
        ..ready()
    };
    for role in [StaffRole::Clinician, StaffRole::Supervisor] {
        for purpose in PURPOSES {
            let d = decide(role, Op::Read, RecordClass::ProgressNotes, &glass, purpose);
            let want = if purpose == Purpose::Emergency {
                FLAGGED
            } else {
                Decision::Deny(DenyReason::NeedsReason)
            };
            assert_eq!(d, want, "{role:?} {purpose:?}");
        }
        // Writes stay shut even in an emergency.
        for op in [Op::Create, Op::Update] {
            let d = decide(
                role,
                op,
                RecordClass::ProgressNotes,
                &glass,
                Purpose::Emergency,
            );
            assert_eq!(d, Decision::Deny(DenyReason::Forbidden), "{role:?} {op:?}");
        }
        // On the care team a grant changes nothing: not flagged.
        let both = Facts {
            on_care_team: true,
            ..glass
        };
        let d = decide(
            role,
            Op::Read,
            RecordClass::ProgressNotes,
            &both,
            Purpose::Emergency,
        );
        assert_eq!(d, ALLOW);
    }
    // Every flagged allow comes from a grant and the emergency purpose.
    for role in StaffRole::ALL {
        for class in RecordClass::ALL {
            for (facts, op, purpose) in every_situation() {
                if decide(role, op, class, &facts, purpose) == FLAGGED {
                    assert!(facts.break_glass && purpose == Purpose::Emergency && !op.is_write());
                    assert!(matches!(role, StaffRole::Clinician | StaffRole::Supervisor));
                }
            }
        }
    }
}

#[test]
fn break_glass_never_opens_psychotherapy_notes() {
    for role in StaffRole::ALL {
        for facts in all_facts().filter(|f| f.break_glass && !f.on_care_team) {
            for op in Op::ALL {
                let d = decide(
                    role,
                    op,
                    RecordClass::PsychotherapyNotes,
                    &facts,
                    Purpose::Emergency,
                );
                assert!(!d.is_allowed(), "{role:?} {op:?} {facts:?} gave {d:?}");
            }
        }
    }
    let glass = Facts {
        break_glass: true,
        author: true,
        ..ready()
    };
    let d = decide(
        StaffRole::Clinician,
        Op::Read,
        RecordClass::PsychotherapyNotes,
        &glass,
        Purpose::Emergency,
    );
    assert_eq!(d, Decision::Deny(DenyReason::Forbidden));
}

#[test]
fn trainee_without_a_supervisor_can_do_nothing_with_clients() {
    for class in RecordClass::ALL {
        for (facts, op, purpose) in every_situation().filter(|(f, _, _)| !f.has_supervisor) {
            let d = decide(StaffRole::Trainee, op, class, &facts, purpose);
            assert!(!d.is_allowed(), "{op:?} {class:?} {facts:?} gave {d:?}");
        }
    }
    let unsupervised = Facts {
        has_supervisor: false,
        ..on_team()
    };
    for op in Op::ALL {
        let d = decide(
            StaffRole::Trainee,
            op,
            RecordClass::ProgressNotes,
            &unsupervised,
            Purpose::Treatment,
        );
        assert_eq!(d, Decision::Deny(DenyReason::NeedsSupervisor), "{op:?}");
    }
    // The same trainee with a supervisor works as a clinician on the team.
    let d = decide(
        StaffRole::Trainee,
        Op::Update,
        RecordClass::ProgressNotes,
        &on_team(),
        Purpose::Treatment,
    );
    assert_eq!(d, ALLOW);
    for op in [
        AdminOp::CreateClient,
        AdminOp::BreakGlass,
        AdminOp::AssignCareTeam,
    ] {
        let primary = Facts {
            primary_clinician: true,
            ..on_team()
        };
        assert_eq!(
            decide_admin(StaffRole::Trainee, op, &primary),
            Decision::Deny(DenyReason::Forbidden)
        );
    }
}

#[test]
fn virtual_assistant_needs_an_nda_and_an_open_window() {
    let va = |f: &Facts, class| {
        decide(
            StaffRole::VirtualAssistant,
            Op::Create,
            class,
            f,
            Purpose::Operations,
        )
    };
    assert_eq!(va(&ready(), RecordClass::Appointments), ALLOW);
    let no_nda = Facts {
        nda_on_file: false,
        ..ready()
    };
    assert_eq!(
        va(&no_nda, RecordClass::Appointments),
        Decision::Deny(DenyReason::NdaMissing)
    );
    let closed = Facts {
        access_window_open: false,
        ..ready()
    };
    assert_eq!(
        va(&closed, RecordClass::Appointments),
        Decision::Deny(DenyReason::OutsideAccessWindow)
    );
    let neither = Facts {
        nda_on_file: false,
        access_window_open: false,
        ..ready()
    };
    assert_eq!(
        va(&neither, RecordClass::Appointments),
        Decision::Deny(DenyReason::NdaMissing)
    );
    // Scheduling only.
    for class in RecordClass::ALL
        .into_iter()
        .filter(|c| *c != RecordClass::Appointments)
    {
        for (facts, op, purpose) in every_situation() {
            let d = decide(StaffRole::VirtualAssistant, op, class, &facts, purpose);
            assert!(!d.is_allowed(), "{op:?} {class:?} {facts:?} gave {d:?}");
        }
    }
    for (facts, op, purpose) in every_situation() {
        let d = decide(
            StaffRole::VirtualAssistant,
            op,
            RecordClass::Appointments,
            &facts,
            purpose,
        );
        if d.is_allowed() {
            assert!(
                facts.nda_on_file && facts.access_window_open,
                "{op:?} {facts:?}"
            );
        }
    }
}

#[test]
fn nobody_may_add_themselves_to_a_care_team_or_change_their_own_role() {
    for bits in 0..1u16 << 10 {
        let facts = Facts {
            self_target: true,
            ..facts_from_bits(bits)
        };
        for role in StaffRole::ALL {
            for op in [AdminOp::ManageUsers, AdminOp::AssignCareTeam] {
                assert_eq!(
                    decide_admin(role, op, &facts),
                    Decision::Deny(DenyReason::SelfEscalation),
                    "{role:?} {op:?}"
                );
            }
        }
    }
    // Acting on someone else is the owner's ordinary work.
    let other = Facts::default();
    assert_eq!(
        decide_admin(StaffRole::Owner, AdminOp::ManageUsers, &other),
        ALLOW
    );
    assert_eq!(
        decide_admin(StaffRole::Owner, AdminOp::AssignCareTeam, &other),
        ALLOW
    );
}

#[test]
fn only_the_owner_or_primary_clinician_assigns_care_teams() {
    for bits in 0..1u16 << 10 {
        let facts = Facts {
            self_target: false,
            ..facts_from_bits(bits)
        };
        for role in StaffRole::ALL {
            let allowed = decide_admin(role, AdminOp::AssignCareTeam, &facts).is_allowed();
            let want = role == StaffRole::Owner
                || (matches!(role, StaffRole::Clinician | StaffRole::Supervisor)
                    && facts.primary_clinician);
            assert_eq!(allowed, want, "{role:?} {facts:?}");
        }
    }
}

#[test]
fn supervisor_reads_shared_progress_notes_but_never_writes() {
    let shared = Facts {
        shared_for_supervision: true,
        ..ready()
    };
    let sup =
        |op, class, f: &Facts| decide(StaffRole::Supervisor, op, class, f, Purpose::Treatment);
    for class in [
        RecordClass::Demographics,
        RecordClass::ProgressNotes,
        RecordClass::Documents,
        RecordClass::Consents,
    ] {
        assert_eq!(sup(Op::Read, class, &shared), ALLOW, "{class:?}");
        assert_eq!(sup(Op::List, class, &shared), ALLOW, "{class:?}");
        assert_eq!(
            sup(Op::Create, class, &shared),
            Decision::Deny(DenyReason::Forbidden),
            "{class:?}"
        );
        assert_eq!(
            sup(Op::Update, class, &shared),
            Decision::Deny(DenyReason::Forbidden),
            "{class:?}"
        );
    }
    let author = Facts {
        author: true,
        ..shared
    };
    assert_eq!(
        sup(Op::Read, RecordClass::PsychotherapyNotes, &author),
        Decision::Deny(DenyReason::Forbidden)
    );
    // Not shared, not on the team: nothing to see.
    assert_eq!(
        sup(Op::Read, RecordClass::ProgressNotes, &ready()),
        Decision::Deny(DenyReason::NotVisible)
    );
    // Sharing is the supervisor's alone; a clinician gains nothing from the fact.
    let d = decide(
        StaffRole::Clinician,
        Op::Read,
        RecordClass::ProgressNotes,
        &shared,
        Purpose::Treatment,
    );
    assert_eq!(d, Decision::Deny(DenyReason::NotVisible));
}

fn any_role() -> impl Strategy<Value = StaffRole> {
    proptest::sample::select(StaffRole::ALL.to_vec())
}
fn any_class() -> impl Strategy<Value = RecordClass> {
    proptest::sample::select(RecordClass::ALL.to_vec())
}
fn any_op() -> impl Strategy<Value = Op> {
    proptest::sample::select(Op::ALL.to_vec())
}
fn any_admin_op() -> impl Strategy<Value = AdminOp> {
    proptest::sample::select(AdminOp::ALL.to_vec())
}
fn any_purpose() -> impl Strategy<Value = Purpose> {
    proptest::sample::select(PURPOSES.to_vec())
}
fn any_facts() -> impl Strategy<Value = Facts> {
    (0..1u16 << 10).prop_map(facts_from_bits)
}

proptest! {
    #[test]
    fn a_restricted_client_off_the_team_without_break_glass_is_never_allowed(
        role in any_role(), op in any_op(), class in any_class(), facts in any_facts(), purpose in any_purpose(),
    ) {
        let d = decide(role, op, class, &facts, purpose);
        if facts.restricted && !facts.on_care_team && !facts.break_glass {
            prop_assert_eq!(d, Decision::Deny(DenyReason::NotVisible));
        }
    }

    #[test]
    fn decisions_never_panic_and_keep_their_invariants(
        role in any_role(), op in any_op(), class in any_class(), facts in any_facts(), purpose in any_purpose(),
        admin in any_admin_op(),
    ) {
        let d = decide(role, op, class, &facts, purpose);
        if d == FLAGGED {
            prop_assert!(facts.break_glass && !facts.on_care_team && purpose == Purpose::Emergency);
        }
        if d.is_allowed() && class == RecordClass::PsychotherapyNotes && op != Op::Create {
            prop_assert!(facts.author && facts.on_care_team);
        }
        prop_assert!(!matches!(d, Decision::Deny(DenyReason::SelfEscalation)));
        let a = decide_admin(role, admin, &facts);
        prop_assert_ne!(a, FLAGGED);
        if facts.self_target && matches!(admin, AdminOp::ManageUsers | AdminOp::AssignCareTeam) {
            prop_assert_eq!(a, Decision::Deny(DenyReason::SelfEscalation));
        }
    }
}
