//! Stored PHQ-9 and GAD-7 assessments through the core services, against a real store and a
//! clock the tests move: recording, reading back scored, listing by the day given; refusals
//! that name the field and write nothing; and the access policy for clinical record (the care
//! team yes, biller and front desk no, a clinician off the team sees nothing, break-glass
//! flagged), every access audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client_input, invalid_field, is_forbidden};

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use confidant_core::appointment::{CloseEpisodeInput, EpisodeInput};
use confidant_core::assessment::{Instrument, RecordAssessmentInput, Severity};
use confidant_core::ids::{AssessmentId, EpisodeId};
use confidant_core::ports::{AssessmentStore, AuditFilter, AuditStore, Clock};
use confidant_core::{Access, Actor, ClientId, CoreError, Options, Purpose, Vault};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;
use time::OffsetDateTime;
use time::macros::{date, datetime};

/// A clock that only moves when a test moves it; it starts on Monday 2 March 2026, 08:00 UTC.
#[derive(Clone)]
struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

struct Practice {
    dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    vault: Vault,
    owner: Access,
    next: AtomicUsize,
}

fn practice() -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let clock = TestClock(Arc::new(Mutex::new(datetime!(2026-03-02 08:00 UTC))));
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
    let done = confidant_core::init(store.as_ref(), &clock, std::slice::from_ref(&key)).unwrap();
    let vault = Vault::unseal_with(
        store.clone(),
        Arc::new(clock.clone()),
        &key,
        Options::default(),
    )
    .unwrap();
    let owner = access(vault.authenticate(&done.owner_token).unwrap());
    Practice {
        dir,
        store,
        vault,
        owner,
        next: AtomicUsize::new(1),
    }
}

fn access(actor: Actor) -> Access {
    Access {
        actor,
        purpose: Purpose::Treatment,
        source: None,
    }
}

fn phq9(items: [i64; 9]) -> RecordAssessmentInput {
    RecordAssessmentInput {
        instrument: Instrument::Phq9,
        items: items.to_vec(),
        difficulty: None,
        administered_on: None,
        episode: None,
        comment: None,
    }
}

fn gad7(items: [i64; 7]) -> RecordAssessmentInput {
    RecordAssessmentInput {
        instrument: Instrument::Gad7,
        items: items.to_vec(),
        ..phq9([0; 9])
    }
}

impl Practice {
    /// An active staff account in `role`, acting through a signed-in session.
    fn hire(&self, role: &str) -> Access {
        access(common::hire(&self.vault, &self.owner, &self.next, role))
    }

    /// A client the owner added (so the owner is their primary clinician).
    fn client(&self, name: &str) -> ClientId {
        self.vault
            .create_client(&self.owner, client_input(name))
            .unwrap()
    }

    fn record(&self, client: ClientId, input: RecordAssessmentInput) -> AssessmentId {
        self.vault
            .record_assessment(&self.owner, client, input)
            .unwrap()
    }

    /// Every audit event with this action, decoded.
    fn events(&self, action: &str) -> Vec<serde_json::Value> {
        let filter = AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        };
        self.store
            .audit_search(&filter, 10_000)
            .unwrap()
            .iter()
            .map(|r| serde_json::from_slice(&r.event).unwrap())
            .collect()
    }

    /// The resource ids of the events with this action, in order.
    fn resources(&self, action: &str) -> Vec<String> {
        self.events(action)
            .iter()
            .map(|e| e["resource_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Recording and reading back

#[test]
fn a_phq9_reads_back_scored_with_its_band_and_self_harm_flag_and_every_access_is_audited() {
    let p = practice();
    let client = p.client("Ada Example");
    let id = p.record(
        client,
        RecordAssessmentInput {
            difficulty: Some(2),
            comment: Some("completed in the waiting room".into()),
            ..phq9([2, 2, 2, 1, 1, 1, 1, 1, 1])
        },
    );

    let a = p.vault.assessment(&p.owner, id).unwrap();
    assert_eq!(
        (a.id, a.client_id, a.author, a.episode_id),
        (id, client, p.owner.actor.id, None)
    );
    assert_eq!(a.scored.instrument, Instrument::Phq9);
    assert_eq!(a.scored.items, [2, 2, 2, 1, 1, 1, 1, 1, 1]);
    assert_eq!(
        (a.scored.total, a.scored.severity, a.scored.self_harm_flag),
        (12, Severity::Moderate, true)
    );
    assert_eq!(a.scored.difficulty, Some(2));
    assert_eq!(a.administered_on, date!(2026 - 03 - 02), "today by default");
    assert_eq!(a.comment.as_deref(), Some("completed in the waiting room"));
    assert_eq!(a.created_at, datetime!(2026-03-02 08:00 UTC));

    // The view as the API serialises it: flat, with the derived score beside the answers.
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["instrument"], "phq9");
    assert_eq!(json["total"], 12);
    assert_eq!(json["severity"], "moderate");
    assert_eq!(json["self_harm_flag"], true);
    assert_eq!(json["administered_on"], "2026-03-02");

    let id = id.to_string();
    assert_eq!(p.resources("assessment.create"), std::slice::from_ref(&id));
    assert_eq!(p.resources("assessment.read"), [id]);
    let create = &p.events("assessment.create")[0];
    assert_eq!(create["client"], client.to_string());
    assert_eq!(create["actor"], p.owner.actor.id.to_string());
}

#[test]
fn a_clients_assessments_are_listed_by_the_day_given_and_only_theirs() {
    let p = practice();
    let client = p.client("Ben Example");
    let other = p.client("Cy Example");
    let later = p.record(client, gad7([3, 3, 3, 3, 3, 0, 0]));
    let earlier = p.record(
        client,
        RecordAssessmentInput {
            administered_on: Some("2026-01-15".into()),
            ..phq9([0, 0, 0, 0, 0, 0, 0, 0, 0])
        },
    );
    let theirs = p.record(other, phq9([1; 9]));

    let listed = p.vault.assessments_of_client(&p.owner, client).unwrap();
    let ids: Vec<_> = listed.iter().map(|a| a.id).collect();
    assert_eq!(ids, [earlier, later]);
    assert_eq!(
        (listed[0].scored.total, listed[0].scored.severity),
        (0, Severity::Minimal)
    );
    assert_eq!(
        (listed[1].scored.total, listed[1].scored.severity),
        (15, Severity::Severe)
    );
    assert!(!listed[1].scored.self_harm_flag, "GAD-7 has no item 9");
    assert_eq!(
        p.resources("assessment.list"),
        [earlier.to_string(), later.to_string()]
    );
    let other_list = p.vault.assessments_of_client(&p.owner, other).unwrap();
    assert_eq!(other_list.len(), 1);
    assert_eq!(other_list[0].id, theirs);

    // An empty list still leaves a trace.
    let empty = p.client("Dee Example");
    assert!(
        p.vault
            .assessments_of_client(&p.owner, empty)
            .unwrap()
            .is_empty()
    );
    assert_eq!(p.events("assessment.list").len(), 4);
}

#[test]
fn an_episode_of_the_same_client_may_be_named_even_once_it_closed() {
    let p = practice();
    let client = p.client("Eve Example");
    let other = p.client("Fox Example");
    let episode = p
        .vault
        .open_episode(
            &p.owner,
            client,
            EpisodeInput {
                opened_on: Some("2026-02-01".into()),
                reason: None,
            },
        )
        .unwrap();
    let theirs = p
        .vault
        .open_episode(&p.owner, other, EpisodeInput::default())
        .unwrap();
    p.vault
        .close_episode(&p.owner, episode, CloseEpisodeInput::default())
        .unwrap();
    let id = p.record(
        client,
        RecordAssessmentInput {
            episode: Some(episode),
            administered_on: Some("2026-02-10".into()),
            ..phq9([1; 9])
        },
    );
    assert_eq!(
        p.vault.assessment(&p.owner, id).unwrap().episode_id,
        Some(episode)
    );
    for wrong in [theirs, EpisodeId::random()] {
        let r = p.vault.record_assessment(
            &p.owner,
            client,
            RecordAssessmentInput {
                episode: Some(wrong),
                ..phq9([1; 9])
            },
        );
        assert_eq!(invalid_field(r), "episode");
    }
    assert_eq!(p.store.assessments_of(client).unwrap().len(), 1);
}

#[test]
fn bad_input_is_refused_naming_the_field_and_nothing_is_written() {
    let p = practice();
    let client = p.client("Gil Example");
    let cases: Vec<(&str, RecordAssessmentInput, &str)> = vec![
        (
            "eight PHQ-9 answers",
            RecordAssessmentInput {
                items: vec![1; 8],
                ..phq9([0; 9])
            },
            "items",
        ),
        (
            "nine GAD-7 answers",
            RecordAssessmentInput {
                items: vec![1; 9],
                ..gad7([0; 7])
            },
            "items",
        ),
        (
            "no answers",
            RecordAssessmentInput {
                items: vec![],
                ..phq9([0; 9])
            },
            "items",
        ),
        ("answer 4", phq9([0, 0, 0, 0, 0, 0, 0, 0, 4]), "items"),
        ("negative answer", gad7([0, -1, 0, 0, 0, 0, 0]), "items"),
        (
            "difficulty 4",
            RecordAssessmentInput {
                difficulty: Some(4),
                ..phq9([0; 9])
            },
            "difficulty",
        ),
        (
            "tomorrow",
            RecordAssessmentInput {
                administered_on: Some("2026-03-03".into()),
                ..phq9([0; 9])
            },
            "administered_on",
        ),
        (
            "eleven years ago",
            RecordAssessmentInput {
                administered_on: Some("2015-03-02".into()),
                ..phq9([0; 9])
            },
            "administered_on",
        ),
        (
            "not a date",
            RecordAssessmentInput {
                administered_on: Some("last week".into()),
                ..phq9([0; 9])
            },
            "administered_on",
        ),
        (
            "overlong comment",
            RecordAssessmentInput {
                comment: Some("x".repeat(2001)),
                ..phq9([0; 9])
            },
            "comment",
        ),
        (
            "control characters in the comment",
            RecordAssessmentInput {
                comment: Some("a\u{7}b".into()),
                ..phq9([0; 9])
            },
            "comment",
        ),
    ];
    for (what, input, field) in cases {
        let r = p.vault.record_assessment(&p.owner, client, input);
        assert_eq!(invalid_field(r), field, "{what}");
    }
    assert!(p.store.assessments_of(client).unwrap().is_empty());
    assert!(p.events("assessment.create").is_empty());
    assert!(matches!(
        p.vault
            .record_assessment(&p.owner, ClientId::random(), phq9([0; 9])),
        Err(CoreError::NotFound("client"))
    ));
    assert!(matches!(
        p.vault.assessment(&p.owner, AssessmentId::random()),
        Err(CoreError::NotFound("assessment"))
    ));
}

// ---------------------------------------------------------------------------------------------
// The policy

#[test]
fn the_biller_and_the_front_desk_may_neither_record_nor_read_nor_list_assessments() {
    let p = practice();
    let client = p.client("Hal Example");
    let id = p.record(client, phq9([3; 9]));
    for role in ["biller", "front_desk"] {
        let staff = p.hire(role);
        let denied_before = p.events("access.denied").len();
        assert!(is_forbidden(p.vault.assessment(&staff, id)), "{role}");
        assert!(
            is_forbidden(p.vault.assessments_of_client(&staff, client)),
            "{role}"
        );
        assert!(
            is_forbidden(p.vault.record_assessment(&staff, client, phq9([0; 9]))),
            "{role}"
        );
        assert_eq!(p.events("access.denied").len(), denied_before + 3, "{role}");
        // They may still see who the client is: the refusal is about the record class.
        p.vault.client(&staff, client).unwrap();
    }
    assert_eq!(p.store.assessments_of(client).unwrap().len(), 1);
    assert!(p.events("assessment.read").is_empty());
    assert!(p.events("assessment.list").is_empty());
}

#[test]
fn a_clinician_off_the_care_team_is_answered_exactly_as_for_a_nonexistent_assessment() {
    let p = practice();
    let clinician = p.hire("clinician");
    let client = p.client("Ida Example");
    let id = p.record(client, phq9([1; 9]));
    let hidden = p.vault.assessment(&clinician, id).unwrap_err();
    let missing = p
        .vault
        .assessment(&clinician, AssessmentId::random())
        .unwrap_err();
    assert!(
        matches!(hidden, CoreError::NotFound("assessment")),
        "{hidden:?}"
    );
    assert_eq!(hidden.to_string(), missing.to_string());
    assert!(matches!(
        p.vault.assessments_of_client(&clinician, client),
        Err(CoreError::NotFound("client"))
    ));
    assert!(matches!(
        p.vault.record_assessment(&clinician, client, phq9([0; 9])),
        Err(CoreError::NotFound("client"))
    ));

    // Their own client's assessments are theirs to record and read.
    let mine = p
        .vault
        .create_client(&clinician, client_input("Jo Example"))
        .unwrap();
    let own = p
        .vault
        .record_assessment(&clinician, mine, gad7([1; 7]))
        .unwrap();
    assert_eq!(p.vault.assessment(&clinician, own).unwrap().scored.total, 7);
}

#[test]
fn break_glass_reads_an_assessment_and_the_read_is_flagged() {
    let p = practice();
    let clinician = p.hire("clinician");
    let client = p.client("Kai Example");
    let id = p.record(client, phq9([0, 0, 0, 0, 0, 0, 0, 0, 2]));
    let emergency = Access {
        purpose: Purpose::Emergency,
        ..clinician
    };
    p.vault
        .break_glass(
            &emergency,
            client,
            "client in crisis, primary clinician unreachable",
            Duration::from_secs(3600),
        )
        .unwrap();
    let a = p.vault.assessment(&emergency, id).unwrap();
    assert!(a.scored.self_harm_flag);
    let read = p.events("assessment.read");
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["flagged"], true);
    assert!(
        !p.events("assessment.create")[0]["flagged"]
            .as_bool()
            .unwrap_or(false)
    );
}

// ---------------------------------------------------------------------------------------------
// Confidentiality at rest

#[test]
fn comments_never_reach_the_data_directory_in_the_clear() {
    let p = practice();
    let client = p.client("Lou Example");
    let marker = "AssessmentCommentMarker5f3a";
    let id = p.record(
        client,
        RecordAssessmentInput {
            comment: Some(marker.into()),
            ..gad7([2; 7])
        },
    );
    assert_eq!(
        p.vault.assessment(&p.owner, id).unwrap().comment.as_deref(),
        Some(marker)
    );
    let row = p.store.assessment(id).unwrap().unwrap();
    assert_eq!(row.instrument, "gad7");
    for file in std::fs::read_dir(p.dir.path()).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{marker} in {}",
            path.display()
        );
    }
}
