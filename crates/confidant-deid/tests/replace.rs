//! Replacement: consistent pseudonyms across a set of documents, dates shifted in their own
//! shape (or cut to the year), typed placeholders, and the clinician's edits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use confidant_deid::{
    CharIndex, DatePolicy, Deidentifier, Edits, KnownIdentifiers, Label, NamePolicy, Options,
    PseudonymTable, Span, revise,
};

fn engine() -> Deidentifier {
    Deidentifier::new(Options::default()).unwrap()
}

fn deid(text: &str, table: &mut PseudonymTable, dates: DatePolicy) -> String {
    engine()
        .deidentify(text, &KnownIdentifiers::new(), table, dates)
        .unwrap()
        .text
}

#[test]
fn the_same_person_keeps_one_pseudonym_across_documents_and_name_forms() {
    let mut table = PseudonymTable::new(42);
    let a = deid(
        "Session with Tobias Pemberton and his wife.",
        &mut table,
        DatePolicy::Placeholder,
    );
    let b = deid(
        "Later Tobias called; Mr. Pemberton's wife answered. Roster: Pemberton, Tobias",
        &mut table,
        DatePolicy::Placeholder,
    );
    assert!(
        !a.contains("Tobias") && !a.contains("Pemberton") && !b.contains("Pemberton"),
        "{a} / {b}"
    );
    // `Session with GIVEN SURNAME and his wife.`
    let full = a
        .trim_start_matches("Session with ")
        .trim_end_matches(" and his wife.");
    let (given, surname) = full.split_once(' ').unwrap();
    assert_eq!(
        b,
        format!("Later {given} called; Mr. {surname}'s wife answered. Roster: {surname}, {given}")
    );
}

#[test]
fn different_people_get_different_pseudonyms_and_never_their_own_name() {
    let mut table = PseudonymTable::new(7);
    let out = deid(
        "Present: Marisol Vasquez, Desmond Okafor, Priya Banerjee, Gunnar Lindqvist.",
        &mut table,
        DatePolicy::Placeholder,
    );
    let names: Vec<&str> = out
        .trim_start_matches("Present: ")
        .trim_end_matches('.')
        .split(", ")
        .collect();
    assert_eq!(names.len(), 4, "{out}");
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 4, "{out}");
    for real in [
        "Marisol",
        "Vasquez",
        "Desmond",
        "Okafor",
        "Priya",
        "Banerjee",
        "Gunnar",
        "Lindqvist",
    ] {
        assert!(!out.contains(real), "{out}");
    }
    assert_eq!(table.len(), 8);
    assert!(!format!("{table:?}").contains("Marisol"));
}

#[test]
fn dates_shift_in_their_own_shape_and_keep_intervals() {
    let mut t = PseudonymTable::new(1);
    let cases = [
        ("2023-08-16", "2023-09-15"),
        ("2023/08/16", "2023/09/15"),
        ("08/16/2023", "09/15/2023"),
        ("8-16-23", "9-15-23"),
        ("Jul 14, 2016", "Aug 13, 2016"),
        ("July 14th", "August 13th"),
        ("14 July 2016", "13 August 2016"),
        ("the 21st of May", "the 20th of June"),
        ("Dec 20, 2023", "Jan 19, 2024"),
        ("March 2024", "April 2024"),
        ("Sept. 9", "Oct. 9"),
        ("2024-11-30", "2024-12-30"),
        ("12/05/2024", "01/04/2025"),
    ];
    for (from, to) in cases {
        let out = deid(
            &format!("Seen on {from}."),
            &mut t,
            DatePolicy::Shift { days: 30 },
        );
        assert_eq!(out, format!("Seen on {to}."), "shifting {from}");
    }
    // A weekday is recomputed when the year is known.
    let out = deid(
        "Seen on Tuesday, March 5, 2024.",
        &mut t,
        DatePolicy::Shift { days: 1 },
    );
    assert_eq!(out, "Seen on Wednesday, March 6, 2024.");
    // What cannot be shifted alone becomes a placeholder.
    let out = deid(
        "Call on Tuesday the 14th or the 3rd.",
        &mut t,
        DatePolicy::Shift { days: 10 },
    );
    assert_eq!(out, "Call on [DATE] or [DATE].");
}

#[test]
fn dates_can_be_cut_to_the_year() {
    let mut t = PseudonymTable::new(1);
    let out = deid(
        "Admitted Jul 14, 2016; discharged 2016-08-02; next on July 3.",
        &mut t,
        DatePolicy::Year,
    );
    assert_eq!(out, "Admitted 2016; discharged 2016; next on [DATE].");
}

#[test]
fn other_identifiers_become_typed_placeholders_and_old_ages_90_plus() {
    let mut t = PseudonymTable::new(3);
    let out = deid(
        "Grandmother, a 94-year-old, lives at 12 Oak St, Apt 4B, Yakima, WA 98901. Call \
         406-555-0134 or write to g.ma@example.net. Chart #: 88412. She works at Brightwater.",
        &mut t,
        DatePolicy::Placeholder,
    );
    assert_eq!(
        out,
        "Grandmother, a 90+-year-old, lives at [ADDRESS], [LOCATION], WA [ZIP]. Call [PHONE] or \
         write to [EMAIL]. Chart #: [ID]. She works at [ORGANIZATION]."
    );
}

#[test]
fn name_placeholders_can_replace_pseudonyms() {
    let e = Deidentifier::new(Options {
        names: NamePolicy::Placeholders,
    })
    .unwrap();
    let mut t = PseudonymTable::new(3);
    let out = e
        .deidentify(
            "Met Tobias Pemberton.",
            &KnownIdentifiers::new(),
            &mut t,
            DatePolicy::Year,
        )
        .unwrap();
    assert_eq!(out.text, "Met [NAME].");
    assert!(t.is_empty());
}

#[test]
fn replacements_say_where_each_identifier_was_and_went() {
    let text = "Met Tobias on 2024-03-05.";
    let e = engine();
    let spans = e.detect(text, &KnownIdentifiers::new());
    let out = e
        .apply(
            text,
            &spans,
            &mut PseudonymTable::new(5),
            DatePolicy::Shift { days: 2 },
        )
        .unwrap();
    assert_eq!(out.replacements.len(), 2);
    for r in &out.replacements {
        assert_eq!(&out.text[r.output.clone()], r.replacement);
    }
    assert_eq!(&text[out.replacements[1].original.clone()], "2024-03-05");
    assert_eq!(out.replacements[1].replacement, "2024-03-07");
    assert_eq!(out.replacements[1].label, Label::Date);
}

#[test]
fn edits_undo_detections_and_add_redactions() {
    let text = "Hope and Brightwater staff met at the diner on Elm.";
    let e = engine();
    let detected = e.detect(text, &KnownIdentifiers::new());
    let hope = text.find("Hope").unwrap();
    let elm = text.find("Elm").unwrap();
    assert!(detected.iter().any(|s| s.start == hope));
    let edits = Edits {
        add: vec![Span {
            start: elm,
            end: elm + 3,
            label: Label::Location,
        }],
        remove: std::iter::once(hope..hope + 4).collect(),
    };
    let spans = revise(&detected, &edits);
    let out = e
        .apply(
            text,
            &spans,
            &mut PseudonymTable::new(1),
            DatePolicy::Placeholder,
        )
        .unwrap();
    assert!(out.text.starts_with("Hope and "), "{}", out.text);
    assert!(out.text.ends_with("on [LOCATION]."), "{}", out.text);
}

#[test]
fn apply_refuses_spans_outside_the_text_or_inside_a_character() {
    let e = engine();
    let mut t = PseudonymTable::new(1);
    let text = "José";
    let bad = [
        Span {
            start: 0,
            end: 99,
            label: Label::Name,
        },
        Span {
            start: 0,
            end: 4,
            label: Label::Name,
        },
    ];
    for s in bad {
        assert!(e.apply(text, &[s], &mut t, DatePolicy::Year).is_err());
    }
}

#[test]
fn char_offsets_convert_to_bytes_and_back() {
    let text = "Zoë met Chloé";
    let idx = CharIndex::new(text);
    let b = idx.byte_of(8).unwrap();
    assert_eq!(&text[b..], "Chloé");
    assert_eq!(idx.char_of(b), 8);
    assert_eq!(idx.byte_of(13), Some(text.len()));
    assert_eq!(idx.byte_of(14), None);
}
