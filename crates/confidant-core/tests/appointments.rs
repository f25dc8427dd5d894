//! Episodes of care and appointments through the core services, against a real store and a
//! clock the tests move: booking, moving and recording attendance, one open episode per client,
//! the schedule across clients, and the access policy for class `Appointments` (front desk and
//! clinicians yes, biller no, virtual assistant only under NDA inside their window, restricted
//! clients absent).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client_input, invalid_field, is_forbidden};

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use confidant_core::appointment::{
    Appointment, AppointmentInput, AppointmentPatch, Attendance, CloseEpisodeInput, EpisodeInput,
    Location,
};
use confidant_core::ids::{AppointmentId, EpisodeId};
use confidant_core::ports::{AppointmentStore, AuditFilter, AuditStore, Clock};
use confidant_core::{Access, Actor, ClientId, CoreError, Options, Purpose, Vault};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;
use time::OffsetDateTime;
use time::macros::datetime;

const HOUR: Duration = Duration::from_secs(3600);

/// A clock that only moves when a test moves it; it starts on Monday 2 March 2026, 08:00 UTC.
#[derive(Clone)]
struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

struct Practice {
    dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    clock: TestClock,
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
        clock,
        vault,
        owner,
        next: AtomicUsize::new(1),
    }
}

fn access(actor: Actor) -> Access {
    Access {
        actor,
        purpose: Purpose::Operations,
        source: None,
    }
}

/// Fifty minutes of psychotherapy in room 2, starting `starts_at`.
fn booking(starts_at: &str) -> AppointmentInput {
    AppointmentInput {
        starts_at: starts_at.into(),
        duration_minutes: Some(50),
        ends_at: None,
        service_code: "90834".into(),
        location: Location::InPerson {
            place: "Room 2".into(),
        },
        episode: None,
        note: None,
    }
}

fn change() -> AppointmentPatch {
    AppointmentPatch::default()
}

/// Panics unless `r` is refused (403) for a reason mentioning `why`.
fn refused_for<T: std::fmt::Debug>(why: &str, r: Result<T, CoreError>) {
    match r {
        Err(CoreError::Forbidden(reason)) => assert!(reason.contains(why), "{reason}"),
        other => panic!("expected a refusal ({why}), got {other:?}"),
    }
}

fn ids(appointments: &[Appointment]) -> Vec<AppointmentId> {
    appointments.iter().map(|a| a.id).collect()
}

impl Practice {
    /// An active staff account in `role`, acting through a signed-in session.
    fn hire(&self, role: &str) -> Access {
        access(common::hire(&self.vault, &self.owner, &self.next, role))
    }

    fn client(&self, name: &str) -> ClientId {
        self.vault
            .create_client(&self.owner, client_input(name))
            .unwrap()
    }

    fn book(&self, by: &Access, client: ClientId, starts_at: &str) -> AppointmentId {
        self.vault
            .create_appointment(by, client, booking(starts_at))
            .unwrap()
    }

    /// The schedule of Monday 2 March 2026 as `by` sees it.
    fn monday(&self, by: &Access) -> Result<Vec<Appointment>, CoreError> {
        self.vault.schedule(
            by,
            datetime!(2026-03-02 00:00 UTC),
            datetime!(2026-03-03 00:00 UTC),
        )
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
}

// ---------------------------------------------------------------------------------------------
// Booking, moving, attendance

#[test]
fn the_front_desk_books_moves_and_records_attendance_for_an_unrestricted_client() {
    let p = practice();
    let desk = p.hire("front_desk");
    let client = p
        .vault
        .create_client(&desk.clone(), client_input("Ada Example"))
        .unwrap();
    let episode = p
        .vault
        .open_episode(
            &desk,
            client,
            EpisodeInput {
                opened_on: None,
                reason: Some("referred by GP".into()),
            },
        )
        .unwrap();
    let id = p
        .vault
        .create_appointment(
            &desk,
            client,
            AppointmentInput {
                note: Some("first visit; ring the bell".into()),
                ..booking("2026-03-02T10:00:00+01:00")
            },
        )
        .unwrap();

    let a = p.vault.appointment(&desk, id).unwrap();
    assert_eq!(a.client_id, client);
    assert_eq!(
        a.episode_id,
        Some(episode),
        "joins the client's open episode"
    );
    assert_eq!(a.starts_at, datetime!(2026-03-02 09:00 UTC));
    assert_eq!(a.ends_at, datetime!(2026-03-02 09:50 UTC));
    assert_eq!(a.attendance, Attendance::Scheduled);
    assert_eq!(a.note.as_deref(), Some("first visit; ring the bell"));
    assert_eq!(ids(&p.monday(&desk).unwrap()), [id]);

    // Moved to the afternoon and made longer; attended once it has started.
    let moved = p
        .vault
        .update_appointment(
            &desk,
            id,
            AppointmentPatch {
                starts_at: Some("2026-03-02T14:00:00Z".into()),
                duration_minutes: Some(80),
                ..change()
            },
        )
        .unwrap();
    assert_eq!(moved.ends_at, datetime!(2026-03-02 15:20 UTC));
    let attend = || AppointmentPatch {
        attendance: Some(Attendance::Attended),
        ..change()
    };
    assert_eq!(
        invalid_field(p.vault.update_appointment(&desk, id, attend())),
        "attendance"
    );
    p.clock.advance(6 * HOUR);
    let done = p.vault.update_appointment(&desk, id, attend()).unwrap();
    assert_eq!(done.attendance, Attendance::Attended);
    assert_eq!(p.vault.appointment(&desk, id).unwrap(), done);
    assert_eq!(
        p.vault.appointments_of_client(&desk, client).unwrap(),
        [done]
    );

    // Every step left an event naming ids only, never the note or the place.
    for (action, n) in [
        ("appointment.create", 1),
        ("appointment.update", 2),
        ("appointment.read", 2),
        ("appointment.list", 2),
        ("episode.open", 1),
    ] {
        let events = p.events(action);
        assert_eq!(events.len(), n, "{action}");
        for e in events {
            assert_eq!(e["client"], client.to_string(), "{action}");
            let text = e.to_string();
            assert!(
                !text.contains("ring the bell") && !text.contains("Room 2"),
                "{text}"
            );
        }
    }
}

#[test]
fn a_cancelled_or_missed_appointment_is_final() {
    let p = practice();
    let client = p.client("Bea Example");
    let cancelled = p.book(&p.owner, client, "2026-03-02T09:00:00Z");
    let missed = p.book(&p.owner, client, "2026-03-02T08:00:00Z");
    // Calling off needs no waiting; a no-show is recorded once the time has come.
    let set = |a| AppointmentPatch {
        attendance: Some(a),
        ..change()
    };
    p.vault
        .update_appointment(&p.owner, cancelled, set(Attendance::Cancelled))
        .unwrap();
    p.vault
        .update_appointment(&p.owner, missed, set(Attendance::NoShow))
        .unwrap();
    for id in [cancelled, missed] {
        for a in [Attendance::Scheduled, Attendance::Attended] {
            assert_eq!(
                invalid_field(p.vault.update_appointment(&p.owner, id, set(a))),
                "attendance"
            );
        }
        let moved = AppointmentPatch {
            starts_at: Some("2026-03-03T09:00:00Z".into()),
            ..change()
        };
        assert_eq!(
            invalid_field(p.vault.update_appointment(&p.owner, id, moved)),
            "starts_at"
        );
    }
    let rows = p.store.appointments_of(client).unwrap();
    let states: Vec<&str> = rows.iter().map(|r| r.attendance.as_str()).collect();
    assert_eq!(states, ["no_show", "cancelled"]);
}

#[test]
fn bad_input_is_refused_naming_the_field_and_nothing_is_written() {
    let p = practice();
    let client = p.client("Cy Example");
    let refused = [
        (
            AppointmentInput {
                duration_minutes: Some(0),
                ..booking("2026-03-02T09:00:00Z")
            },
            "duration_minutes",
        ),
        (
            AppointmentInput {
                duration_minutes: None,
                ends_at: Some("2026-03-02T08:30:00Z".into()),
                ..booking("2026-03-02T09:00:00Z")
            },
            "ends_at",
        ),
        (
            AppointmentInput {
                ends_at: Some("2026-03-02T09:50:00Z".into()),
                ..booking("2026-03-02T09:00:00Z")
            },
            "ends_at",
        ),
        (
            AppointmentInput {
                service_code: "9083".into(),
                ..booking("2026-03-02T09:00:00Z")
            },
            "service_code",
        ),
        (booking("Monday at nine"), "starts_at"),
        (
            AppointmentInput {
                episode: Some(EpisodeId::random()),
                ..booking("2026-03-02T09:00:00Z")
            },
            "episode",
        ),
    ];
    for (input, field) in refused {
        assert_eq!(
            invalid_field(p.vault.create_appointment(&p.owner, client, input)),
            field
        );
    }
    assert!(p.store.appointments_of(client).unwrap().is_empty());
    assert!(p.events("appointment.create").is_empty());
    assert!(matches!(
        p.vault.create_appointment(
            &p.owner,
            ClientId::random(),
            booking("2026-03-02T09:00:00Z")
        ),
        Err(CoreError::NotFound("client"))
    ));
    assert!(matches!(
        p.vault.appointment(&p.owner, AppointmentId::random()),
        Err(CoreError::NotFound("appointment"))
    ));
}

// ---------------------------------------------------------------------------------------------
// Episodes of care

#[test]
fn a_client_has_one_open_episode_which_closes_no_earlier_than_it_opened() {
    let p = practice();
    let client = p.client("Dee Example");
    let other = p.client("Eli Example");
    let opened = |day: &str| EpisodeInput {
        opened_on: Some(day.into()),
        reason: None,
    };
    let first = p
        .vault
        .open_episode(&p.owner, client, opened("2026-02-02"))
        .unwrap();
    assert_eq!(
        invalid_field(p.vault.open_episode(&p.owner, client, opened("2026-02-20"))),
        "episode"
    );
    assert_eq!(
        invalid_field(p.vault.open_episode(&p.owner, client, opened("2026-03-03"))),
        "opened_on"
    );
    let closing = |day: &str| CloseEpisodeInput {
        closed_on: Some(day.into()),
    };
    assert_eq!(
        invalid_field(
            p.vault
                .close_episode(&p.owner, first, closing("2026-02-01"))
        ),
        "closed_on"
    );
    let closed = p
        .vault
        .close_episode(&p.owner, first, closing("2026-02-27"))
        .unwrap();
    assert_eq!(closed.closed_on, Some(time::macros::date!(2026 - 02 - 27)));
    assert_eq!(
        invalid_field(
            p.vault
                .close_episode(&p.owner, first, CloseEpisodeInput::default())
        ),
        "closed_on"
    );

    // A closed episode takes no new appointments, nor does another client's; a new one does.
    let in_episode = |e| AppointmentInput {
        episode: Some(e),
        ..booking("2026-03-02T09:00:00Z")
    };
    assert_eq!(
        invalid_field(
            p.vault
                .create_appointment(&p.owner, client, in_episode(first))
        ),
        "episode"
    );
    let theirs = p
        .vault
        .open_episode(&p.owner, other, EpisodeInput::default())
        .unwrap();
    assert_eq!(
        invalid_field(
            p.vault
                .create_appointment(&p.owner, client, in_episode(theirs))
        ),
        "episode"
    );
    let unlinked = p.book(&p.owner, client, "2026-03-02T09:00:00Z");
    assert_eq!(
        p.vault.appointment(&p.owner, unlinked).unwrap().episode_id,
        None
    );
    let second = p
        .vault
        .open_episode(&p.owner, client, EpisodeInput::default())
        .unwrap();
    let linked = p
        .vault
        .create_appointment(&p.owner, client, in_episode(second))
        .unwrap();
    assert_eq!(
        p.vault.appointment(&p.owner, linked).unwrap().episode_id,
        Some(second)
    );

    let listed = p.vault.episodes_of_client(&p.owner, client).unwrap();
    let summary: Vec<_> = listed.iter().map(|e| (e.id, e.is_open())).collect();
    assert_eq!(summary, [(first, false), (second, true)]);
    assert_eq!(p.events("episode.open").len(), 3);
    assert_eq!(p.events("episode.close").len(), 1);
    assert_eq!(p.events("episode.read").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The policy

#[test]
fn the_biller_may_neither_book_nor_see_appointments() {
    let p = practice();
    let biller = p.hire("biller");
    let client = p.client("Fay Example");
    let booked = p.book(&p.owner, client, "2026-03-02T09:00:00Z");
    let denied_before = p.events("access.denied").len();

    assert!(is_forbidden(p.vault.create_appointment(
        &biller,
        client,
        booking("2026-03-02T11:00:00Z")
    )));
    assert!(is_forbidden(p.vault.appointment(&biller, booked)));
    assert!(is_forbidden(
        p.vault.appointments_of_client(&biller, client)
    ));
    assert!(is_forbidden(p.vault.update_appointment(
        &biller,
        booked,
        AppointmentPatch {
            attendance: Some(Attendance::Cancelled),
            ..change()
        }
    )));
    assert!(is_forbidden(p.vault.open_episode(
        &biller,
        client,
        EpisodeInput::default()
    )));
    assert!(is_forbidden(p.monday(&biller)));

    assert_eq!(p.events("access.denied").len(), denied_before + 6);
    assert_eq!(p.store.appointments_of(client).unwrap().len(), 1);
    assert_eq!(
        p.store.appointment(booked).unwrap().unwrap().attendance,
        "scheduled"
    );
    assert!(p.store.open_episode_of(client).unwrap().is_none());
}

#[test]
fn a_restricted_clients_appointments_are_absent_from_the_front_desks_schedule() {
    let p = practice();
    let desk = p.hire("front_desk");
    let open = p.client("Gus Example");
    let hidden = p.client("Staff Member Client");
    let seen = p.book(&p.owner, open, "2026-03-02T09:00:00Z");
    let unseen = p.book(&p.owner, hidden, "2026-03-02T10:00:00Z");
    p.vault.set_restricted(&p.owner, hidden, true).unwrap();

    // The owner is on the restricted client's care team; the front desk is not.
    assert_eq!(ids(&p.monday(&p.owner).unwrap()), [seen, unseen]);
    assert_eq!(ids(&p.monday(&desk).unwrap()), [seen]);
    assert!(matches!(
        p.vault.appointment(&desk, unseen),
        Err(CoreError::NotFound("appointment"))
    ));
    assert!(matches!(
        p.vault.appointments_of_client(&desk, hidden),
        Err(CoreError::NotFound("client"))
    ));
    assert!(matches!(
        p.vault
            .create_appointment(&desk, hidden, booking("2026-03-02T12:00:00Z")),
        Err(CoreError::NotFound("client"))
    ));
    // Only what was shown is recorded as shown.
    let listed: Vec<String> = p
        .events("appointment.list")
        .iter()
        .filter(|e| e["actor"] == desk.actor.id.to_string())
        .map(|e| e["resource_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, [seen.to_string()]);
}

#[test]
fn a_clinician_sees_only_their_care_teams_appointments() {
    let p = practice();
    let clinician = p.hire("clinician");
    let mine = p
        .vault
        .create_client(&clinician, client_input("Hal Example"))
        .unwrap();
    let theirs = p.client("Ivy Example");
    let a = p.book(&clinician, mine, "2026-03-02T09:00:00Z");
    let b = p.book(&p.owner, theirs, "2026-03-02T09:00:00Z");
    assert_eq!(ids(&p.monday(&clinician).unwrap()), [a]);
    assert!(matches!(
        p.vault.appointment(&clinician, b),
        Err(CoreError::NotFound("appointment"))
    ));
}

#[test]
fn a_virtual_assistant_schedules_only_under_an_nda_inside_their_window() {
    let p = practice();
    let va = p.hire("virtual_assistant");
    let client = p.client("Jo Example");
    let booked = p.book(&p.owner, client, "2026-03-02T09:00:00Z");
    let try_booking = || {
        p.vault
            .create_appointment(&va, client, booking("2026-03-02T13:00:00Z"))
    };

    // No terms yet; then an NDA without a window.
    refused_for("NDA", try_booking());
    refused_for("NDA", p.monday(&va));
    p.vault
        .set_assistant_terms(&p.owner, va.actor.id, true, None)
        .unwrap();
    refused_for("window", try_booking());
    refused_for("window", p.vault.appointment(&va, booked));

    // A window of eight hours from now, but no NDA.
    let now = p.clock.now();
    let window = Some((now, now + 8 * HOUR));
    p.vault
        .set_assistant_terms(&p.owner, va.actor.id, false, window)
        .unwrap();
    refused_for("NDA", try_booking());

    // Both: scheduling works.
    p.vault
        .set_assistant_terms(&p.owner, va.actor.id, true, window)
        .unwrap();
    let made = try_booking().unwrap();
    assert_eq!(ids(&p.monday(&va).unwrap()), [booked, made]);
    p.vault
        .update_appointment(
            &va,
            booked,
            AppointmentPatch {
                attendance: Some(Attendance::Cancelled),
                ..change()
            },
        )
        .unwrap();

    // Once the window closes, nothing.
    p.clock.advance(8 * HOUR);
    refused_for("window", try_booking());
    refused_for("window", p.monday(&va));
    refused_for("window", p.vault.appointment(&va, made));
    assert_eq!(p.store.appointments_of(client).unwrap().len(), 2);
}

#[test]
fn the_schedule_window_is_checked_and_spans_at_most_31_days() {
    let p = practice();
    let client = p.client("Kit Example");
    let first = p.book(&p.owner, client, "2026-03-02T09:00:00Z");
    let last = p.book(&p.owner, client, "2026-04-01T23:00:00Z");
    let from = datetime!(2026-03-02 00:00 UTC);
    let month = p
        .vault
        .schedule(&p.owner, from, from + time::Duration::days(31))
        .unwrap();
    assert_eq!(ids(&month), [first, last]);
    for to in [
        from,
        from - time::Duration::hours(1),
        from + time::Duration::days(32),
    ] {
        assert_eq!(invalid_field(p.vault.schedule(&p.owner, from, to)), "to");
    }
    // A start exactly at `to` belongs to the next window.
    let day = p
        .vault
        .schedule(
            &p.owner,
            from - time::Duration::days(1),
            from + time::Duration::hours(9),
        )
        .unwrap();
    assert!(day.is_empty());
}

// ---------------------------------------------------------------------------------------------
// At rest

#[test]
fn places_links_notes_and_reasons_never_reach_the_data_directory_in_the_clear() {
    let p = practice();
    let client = p.client("Lou Example");
    let markers = [
        "PlaceMarker8c1e",
        "LinkMarker51d0",
        "NoteMarker2b7a",
        "ReasonMarker93fd",
        "ChangedNoteMarker4e60",
    ];
    p.vault
        .open_episode(
            &p.owner,
            client,
            EpisodeInput {
                opened_on: None,
                reason: Some(markers[3].into()),
            },
        )
        .unwrap();
    p.vault
        .create_appointment(
            &p.owner,
            client,
            AppointmentInput {
                location: Location::InPerson {
                    place: markers[0].into(),
                },
                note: Some(markers[2].into()),
                ..booking("2026-03-02T09:00:00Z")
            },
        )
        .unwrap();
    let video = p
        .vault
        .create_appointment(
            &p.owner,
            client,
            AppointmentInput {
                location: Location::Telehealth {
                    link: format!("https://video.example/{}", markers[1]),
                },
                ..booking("2026-03-02T11:00:00Z")
            },
        )
        .unwrap();
    p.vault
        .update_appointment(
            &p.owner,
            video,
            AppointmentPatch {
                note: Some(Some(markers[4].into())),
                ..change()
            },
        )
        .unwrap();
    // Read back in the clear through the service...
    let all = p.vault.appointments_of_client(&p.owner, client).unwrap();
    assert_eq!(all[1].note.as_deref(), Some(markers[4]));
    // ...and nowhere in any file.
    for file in std::fs::read_dir(p.dir.path()).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for m in markers {
            assert!(
                !bytes.windows(m.len()).any(|w| w == m.as_bytes()),
                "{m} in {}",
                path.display()
            );
        }
    }
}
