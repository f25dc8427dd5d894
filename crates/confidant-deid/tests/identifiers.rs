//! One test per kind of identifier, with the hard cases: names that are also words, `Last,
//! First`, initials, possessives, a dozen date shapes, phones with and without an area code,
//! addresses with units, and what must stay (years, ages up to 89, codes, doses, scores).
//! Every person, place and number here is invented.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use confidant_deid::{Deidentifier, KnownIdentifiers, Label, Options};

fn spans(text: &str, known: &KnownIdentifiers) -> Vec<(Label, String)> {
    let engine = Deidentifier::new(Options::default()).unwrap();
    engine
        .detect(text, known)
        .iter()
        .map(|s| (s.label, text[s.start..s.end].to_string()))
        .collect()
}

/// Asserts that each `(label, text)` is found exactly as one span.
fn finds(text: &str, expected: &[(Label, &str)]) {
    let got = spans(text, &KnownIdentifiers::new());
    for (label, s) in expected {
        assert!(
            got.iter().any(|(l, g)| l == label && g == s),
            "expected {label:?} {s:?} in {text:?}, found {got:?}"
        );
    }
}

/// Asserts that no span touches any of `kept`.
fn keeps(text: &str, kept: &[&str]) {
    let engine = Deidentifier::new(Options::default()).unwrap();
    let found = engine.detect(text, &KnownIdentifiers::new());
    for k in kept {
        let at = text
            .find(k)
            .unwrap_or_else(|| panic!("{k:?} not in the text"));
        let end = at + k.len();
        let hit: Vec<_> = found
            .iter()
            .filter(|s| s.start < end && at < s.end)
            .collect();
        assert!(
            hit.is_empty(),
            "{k:?} should stay in {text:?}, but {hit:?} covers it"
        );
    }
}

use Label::*;

#[test]
fn names_that_are_also_words_are_names_only_where_capitals_mean_one() {
    finds(
        "We met with Hope and her brother Bill. Grace said the move went well. Will reported \
         sleeping better. Later Rose cried.",
        &[
            (Name, "Hope"),
            (Name, "Bill"),
            (Name, "Grace"),
            (Name, "Will"),
            (Name, "Rose"),
        ],
    );
    keeps(
        "Will continue to monitor. May benefit from DBT. Hope remains a theme; she has lost \
         hope. Summer was hard. The bill was paid in May.",
        &["Will", "May benefit", "Hope", "hope", "Summer", "bill"],
    );
}

#[test]
fn a_name_found_once_is_found_everywhere_in_the_document() {
    finds(
        "Session with Faith Lindqvist. Faith has attended every week.",
        &[(Name, "Faith Lindqvist"), (Name, "Faith")],
    );
}

#[test]
fn last_first_order_is_one_name() {
    finds(
        "Participants: Kowalski, Anton; Haddad, Priya",
        &[(Name, "Kowalski, Anton"), (Name, "Haddad, Priya")],
    );
}

#[test]
fn initials_belong_to_the_name_and_titles_do_not() {
    finds(
        "Seen by Dr. K. Nakamura and J.R. Achterberg; referred by T. Okonkwo.",
        &[
            (Name, "K. Nakamura"),
            (Name, "J.R. Achterberg"),
            (Name, "T. Okonkwo"),
        ],
    );
    keeps(
        "Seen by Dr. K. Nakamura and Mrs. Pemberton.",
        &["Dr.", "Mrs."],
    );
}

#[test]
fn possessive_endings_and_credentials_stay_outside_the_name() {
    finds(
        "Tobias's mother and Marisol\u{2019}s sister; signed, Wendell Szabo, LMFT",
        &[(Name, "Tobias"), (Name, "Marisol"), (Name, "Wendell Szabo")],
    );
    keeps("Wendell Szabo, LMFT", &["LMFT"]);
}

#[test]
fn headers_greetings_and_relation_words_mark_unknown_names() {
    finds(
        "Client: Xochitl Abernathy\nHi Oluwaseun,\nHer cousin Zandile stayed over.\nThanks,\nIfeoma",
        &[
            (Name, "Xochitl Abernathy"),
            (Name, "Oluwaseun"),
            (Name, "Zandile"),
            (Name, "Ifeoma"),
        ],
    );
}

#[test]
fn a_dozen_date_shapes_are_found() {
    let dates = [
        "2023-08-16",
        "2023/08/16",
        "08/16/2023",
        "8-16-23",
        "8.16.2023",
        "Jul 14, 2016",
        "July 14th",
        "14 July 2016",
        "the 3rd",
        "Tuesday the 14th",
        "Tuesday, March 4",
        "March 2024",
        "03/2021",
        "the 21st of May",
        "Sept. 9",
    ];
    for d in dates {
        finds(&format!("Seen on {d} for follow-up."), &[(Date, d)]);
    }
    finds(
        "Admitted in March, discharged 6/2.",
        &[(Date, "March"), (Date, "6/2")],
    );
}

#[test]
fn years_times_and_counts_stay() {
    keeps(
        "Sober since 2019; call at 10:30 am; the 3rd session went well; rated anxiety 7/10.",
        &["2019", "10:30", "3rd session", "7/10"],
    );
}

#[test]
fn ages_over_89_are_found_and_younger_ages_stay() {
    finds(
        "A 92-year-old widow; her sister, aged 95; age: 91; father is 97 y/o; mother in her 90s.",
        &[
            (Age, "92"),
            (Age, "95"),
            (Age, "91"),
            (Age, "97"),
            (Age, "90s"),
        ],
    );
    keeps(
        "A 34-year-old; age 67; 89 years old; 95 years ago.",
        &["34", "67", "89", "95"],
    );
}

#[test]
fn phones_with_and_without_area_code_and_extensions() {
    let phones = [
        "(406) 555-0134",
        "406-555-0134",
        "406.555.0134",
        "406 555 0134",
        "1-406-555-0134",
        "+1 406 555 0134",
        "555-0134",
        "406-555-0134 x12",
        "406-555-0134 ext. 7",
        "406/555-0134",
    ];
    for p in phones {
        finds(&format!("Call her at {p} today."), &[(Phone, p)]);
    }
}

#[test]
fn addresses_with_units_po_boxes_zip_codes_and_counties() {
    finds(
        "Lives at 1577 Larkspur Ln, Apt 4B, Yakima, WA 98901-2231; mail to PO Box 88; moved from \
         52 W 4th Street #3 in Cumberland County; office at 9 Harmon Blvd, Suite 210.",
        &[
            (Location, "1577 Larkspur Ln, Apt 4B"),
            (Location, "Yakima"),
            (Location, "98901-2231"),
            (Location, "PO Box 88"),
            (Location, "52 W 4th Street #3"),
            (Location, "Cumberland County"),
            (Location, "9 Harmon Blvd, Suite 210"),
        ],
    );
    keeps("Lives at 1577 Larkspur Ln, Yakima, WA 98901.", &["WA"]);
}

#[test]
fn cities_are_places_and_states_alone_stay() {
    finds(
        "She grew up in Missoula and moved to Salt Lake City, then to Macon, Georgia.",
        &[
            (Location, "Missoula"),
            (Location, "Salt Lake City"),
            (Location, "Macon"),
        ],
    );
    keeps("She moved to Texas from Ohio.", &["Texas", "Ohio"]);
}

#[test]
fn emails_urls_ips_and_handles() {
    finds(
        "Write t.okonkwo@fastmail.com; join https://telehealth.example.org/room/8812 or \
         portal.cedarridgebh.org; logins from 198.51.100.23 and 2001:db8::4a2f; posts as @skater_22.",
        &[
            (Email, "t.okonkwo@fastmail.com"),
            (Url, "https://telehealth.example.org/room/8812"),
            (Url, "portal.cedarridgebh.org"),
            (Ip, "198.51.100.23"),
            (Ip, "2001:db8::4a2f"),
            (Id, "@skater_22"),
        ],
    );
}

#[test]
fn record_plan_licence_plate_case_and_ssn_numbers_are_ids() {
    finds(
        "SSN 123-45-6789. Chart #: 21877. MRN 00482913. Medicaid ID QX48821907. Policy #: \
         HMO-4471823. Plate 7KDL291. Case no. 23-JV-0412. LPC #60412. Student ID S5520871.",
        &[
            (Id, "SSN 123-45-6789"),
            (Id, "21877"),
            (Id, "MRN 00482913"),
            (Id, "QX48821907"),
            (Id, "HMO-4471823"),
            (Id, "7KDL291"),
            (Id, "23-JV-0412"),
            (Id, "60412"),
            (Id, "S5520871"),
        ],
    );
}

#[test]
fn organisations_by_head_word_saint_and_context() {
    finds(
        "Coworker at Harborview Medical Center; attends Sunnyside Middle School; church at St. \
         Brigid; works at Brightwater; employer: Osprey Freight; Copperline Logistics called.",
        &[
            (Organization, "Harborview Medical Center"),
            (Organization, "Sunnyside Middle School"),
            (Organization, "St. Brigid"),
            (Organization, "Brightwater"),
            (Organization, "Osprey Freight"),
            (Organization, "Copperline Logistics"),
        ],
    );
    keeps(
        "Seen in the Emergency Department; attends AA; referred to Medical Center staff.",
        &["Emergency Department", "AA", "Medical Center"],
    );
}

#[test]
fn people_and_organisations_next_to_each_other_stay_apart() {
    finds(
        "Referred by Dr Haruki Sato of Bridger Peaks Psychiatry. Her boss at Fenwick & Hale \
         Architects called. She works part-time at Tamsworth. Mailing address: 9 Elm St, \
         Bozeman MT 59715. Hi Joy, per Case Manager Deshawn Pruitt the form is due.",
        &[
            (Name, "Haruki Sato"),
            (Organization, "Bridger Peaks Psychiatry"),
            (Organization, "Fenwick & Hale Architects"),
            (Organization, "Tamsworth"),
            (Location, "Bozeman"),
            (Location, "59715"),
            (Name, "Joy"),
            (Name, "Deshawn Pruitt"),
        ],
    );
    keeps(
        "Insurance: Blue Cross member. Per Case Manager notes.",
        &["Blue Cross", "Case Manager"],
    );
}

#[test]
fn capitals_accents_and_hyphens_in_names() {
    finds(
        "CLIENT NAME: MARGUERITE OYELARAN-FOSTER\nJosé Ñúñez and Zoë Lindqvist-Bauer attended; \
         Siobhan O'Sullivan-Park arrived late.",
        &[
            (Name, "MARGUERITE OYELARAN-FOSTER"),
            (Name, "José Ñúñez"),
            (Name, "Zoë Lindqvist-Bauer"),
            (Name, "Siobhan O'Sullivan-Park"),
        ],
    );
    keeps("CLIENT NAME: MARGUERITE OYELARAN-FOSTER", &["CLIENT NAME"]);
    keeps(
        "She wants to return to Puerto Rico or South Carolina.",
        &["Puerto Rico", "South Carolina"],
    );
}

#[test]
fn a_month_and_day_before_a_time_is_a_date_and_handles_may_hold_dashes() {
    finds(
        "Appt w/ Dr Okwuosa 6/1 @ 3pm. Venmo @ramona-k.",
        &[(Date, "6/1"), (Id, "@ramona-k")],
    );
}

#[test]
fn speakers_modal_names_months_as_names_and_date_ranges() {
    finds(
        "Tobias: running late, sorry\nTherapist: No problem.\nWill will try the exercise. Mother \
         (April Nguyen) joined. Intake, Seo-yeon Cho, referred by her employer. Diary from 3/2 \
         to 3/9.",
        &[
            (Name, "Tobias"),
            (Name, "Will"),
            (Name, "April Nguyen"),
            (Name, "Seo-yeon Cho"),
            (Date, "3/2"),
            (Date, "3/9"),
        ],
    );
    keeps(
        "Therapist: No problem. Will continue.",
        &["Therapist", "No", "Will"],
    );
}

#[test]
fn capitalised_clinical_phrases_stay() {
    keeps(
        "Mental status: Insight Fair, Judgment Good. Protective factors include Faith, Family \
         and her Dog. Practiced Dialectical Behavior Therapy skills. She attends Mass on Sundays \
         and speaks English and Vietnamese.",
        &[
            "Fair",
            "Good",
            "Faith",
            "Dialectical Behavior Therapy",
            "Mass",
            "Sundays",
            "Vietnamese",
        ],
    );
}

#[test]
fn diagnoses_medications_service_codes_and_scores_stay() {
    keeps(
        "Dx F41.1, F32.9, Z63.0. Sertraline 50 mg; Lexapro 10mg. CPT 90834 and 90837. PHQ-9: 14; \
         GAD-7 score of 11. A 10-minute break, 45 minutes, 3 times a week. Beck Depression \
         Inventory reviewed over Zoom in Spanish.",
        &[
            "F41.1",
            "F32.9",
            "Z63.0",
            "Sertraline 50 mg",
            "Lexapro 10mg",
            "90834",
            "90837",
            "PHQ-9: 14",
            "GAD-7 score of 11",
            "10-minute",
            "45 minutes",
            "3 times",
            "Beck",
            "Zoom",
            "Spanish",
        ],
    );
}

#[test]
fn known_identifiers_are_removed_in_part_in_any_case_and_possessive() {
    let mut known = KnownIdentifiers::new();
    known
        .name("Hope Quarrington-Vale")
        .name("Bartholomew Ezeji")
        .address("77 Cobble Hill Rd, Bangor, ME 04401")
        .organization("Quillfeather Analytics LLC");
    let text = "hope said QUARRINGTON-VALE's dad (bartholomew) lives at 77 cobble hill rd in \
                Bangor and works at Quillfeather Analytics. She has lost hope.";
    let got = spans(text, &known);
    let has = |l: Label, s: &str| got.iter().any(|(gl, g)| *gl == l && g == s);
    assert!(
        has(Name, "QUARRINGTON-VALE") || has(Name, "QUARRINGTON"),
        "{got:?}"
    );
    assert!(has(Name, "bartholomew"), "{got:?}");
    assert!(has(Location, "77 cobble hill rd"), "{got:?}");
    assert!(has(Location, "Bangor"), "{got:?}");
    assert!(has(Organization, "Quillfeather Analytics"), "{got:?}");
    // A part that is an everyday word is taken where capitalised or before a verb only a
    // person does, and not in `lost hope`.
    assert!(has(Name, "hope"), "{got:?}");
    let engine = Deidentifier::new(Options::default()).unwrap();
    let lost = text.rfind("hope").unwrap();
    assert!(
        engine.detect(text, &known).iter().all(|s| s.end <= lost),
        "{got:?}"
    );
    assert!(
        format!("{known:?}").starts_with("KnownIdentifiers(")
            && !format!("{known:?}").contains("Hope")
    );
}

/// Asserts that `text` holds a span of `label` covering exactly `s`, or no span touching it.
fn label_of(text: &str, s: &str) -> Option<Label> {
    let got = spans(text, &KnownIdentifiers::new());
    got.iter().find(|(_, g)| g == s).map(|(l, _)| *l)
}

#[test]
fn month_day_dates_are_dates_by_context_and_scores_fractions_and_counts_stay() {
    finds(
        "Seen 9/14 for intake. F/u 10/2. Labs drawn 2/27. Wed 8/6 went well. Called back \
         11/30 4:15 pm. Mood chart kept for 1/6-1/10. He asked to be moved to 12/9 instead.",
        &[
            (Date, "9/14"),
            (Date, "10/2"),
            (Date, "2/27"),
            (Date, "Wed 8/6"),
            (Date, "11/30"),
            (Date, "1/6"),
            (Date, "1/10"),
            (Date, "12/9"),
        ],
    );
    // Lists and ranges share the fate of their dated member; a header line ends in its date.
    finds(
        "Cancelled: 4/7, 4/14 and 4/21. Offered 5/19 or 5/26.\nIntake note 6/18\nFamily \
         session, 5/12\nNext huddle 8/20 via phone.",
        &[
            (Date, "4/7"),
            (Date, "4/14"),
            (Date, "4/21"),
            (Date, "5/19"),
            (Date, "5/26"),
            (Date, "6/18"),
            (Date, "5/12"),
            (Date, "8/20"),
        ],
    );
    // Once a text writes dates as m/d, its other month/days are dates too.
    finds(
        "Seen on 3/3. Paperwork for 3/17 is ready.",
        &[(Date, "3/3"), (Date, "3/17")],
    );
    keeps(
        "Seen on 3/3. She rated distress 7/10, down from 9/10 last week. Took 1/2 of a tab. \
         Finished 3/4 sessions. MoCA 25/30; Mini-Cog 2/5. BP 118/74. PCL 40/80. Loneliness 4/10 \
         on arrival, 2/10 at the end. Craving went from 8/10 to 3/10.",
        &[
            "7/10",
            "9/10",
            "1/2",
            "3/4 sessions",
            "25/30",
            "2/5",
            "118/74",
            "40/80",
            "4/10",
            "2/10",
            "8/10",
            "3/10",
        ],
    );
}

#[test]
fn ids_with_spaced_groups_and_letter_prefixes_after_a_keyword() {
    finds(
        "Subscriber ID TRW 5510 3382. Claim no. HX 88 1204 5. License plate BTR 5521. Docket \
         DR 2023 1182. Policy number 4410 2287 0016.",
        &[
            (Id, "TRW 5510 3382"),
            (Id, "HX 88 1204 5"),
            (Id, "BTR 5521"),
            (Id, "DR 2023 1182"),
            (Id, "4410 2287 0016"),
        ],
    );
    keeps(
        "Plan: CPT 90791 then 90834 weekly. Group DBT 12 weeks. Our plan CBT 2025 is set. Chart \
         reviewed 45 minutes.",
        &["CPT 90791", "90834", "DBT 12", "CBT 2025", "45 minutes"],
    );
}

#[test]
fn dotted_initials_are_a_person_unless_an_abbreviation_or_a_credential() {
    finds(
        "Met with V.O. and her brother. C.D.'s mother called. Attendees: N.H., Q.R., and \
         B.L.\nR.N. arrived late; her partner M.S. drove.",
        &[
            (Name, "V.O."),
            (Name, "C.D."),
            (Name, "N.H."),
            (Name, "Q.R."),
            (Name, "B.L."),
            (Name, "R.N."),
            (Name, "M.S."),
        ],
    );
    keeps(
        "Seen at 10 A.M. in the U.S. by Gwen Tallis, R.N., who said it is O.K. to attend A.A. \
         and N.A. meetings after a D.V. screen.",
        &["A.M.", "U.S.", "R.N.", "O.K.", "A.A.", "N.A.", "D.V."],
    );
}

#[test]
fn ages_over_89_said_without_age_or_years() {
    finds(
        "Her great-aunt, now 93, lives alone. A neighbor who is 97 checks in; he's 90 and \
         drives. Her uncle will be 92 in June. Grandpa passed away at 104. Lottie (96) and \
         Arvid, 91, came too. She planned his 105th birthday. Her father, aged ninety-six, \
         remarried.",
        &[
            (Age, "93"),
            (Age, "97"),
            (Age, "90"),
            (Age, "92"),
            (Age, "104"),
            (Age, "96"),
            (Age, "91"),
            (Age, "105th"),
            (Age, "ninety-six"),
        ],
    );
    keeps(
        "She is in room 91. He weighs 98 lbs. PCL-5 fell from 58 to 22. Her pulse was 96. He \
         scored 92 on the quiz. Mood is 95% better. Her son is 34 and her mother is 88.",
        &["91", "98", "58", "22", "96", "92", "95", "34", "88"],
    );
}

#[test]
fn organisations_with_an_ampersand_and_facility_types_are_whole() {
    finds(
        "He loads trucks at Bergstrom Feed & Seed. Her mother moved from Aspen Meadows Senior \
         Living to Cedar Bluff Memory Care, then to Red Oak Nursing Home. He finished 30 days at \
         Two Rivers Treatment Center and volunteers at the Kettle Falls Food Pantry. His wife \
         keeps books for Lindahl Heating and Cooling.",
        &[
            (Organization, "Bergstrom Feed & Seed"),
            (Organization, "Aspen Meadows Senior Living"),
            (Organization, "Cedar Bluff Memory Care"),
            (Organization, "Red Oak Nursing Home"),
            (Organization, "Two Rivers Treatment Center"),
            (Organization, "Kettle Falls Food Pantry"),
            (Organization, "Lindahl Heating and Cooling"),
        ],
    );
    keeps(
        "She moved to the Memory Care unit. Anger Management group met. Assessment & Plan: \
         continue. Activities of Daily Living intact. Cognitive Processing Therapy, session 4.",
        &[
            "Memory Care",
            "Anger Management",
            "Assessment & Plan",
            "Activities of Daily Living",
            "Cognitive Processing Therapy",
        ],
    );
    assert_ne!(
        label_of("Jake & Amy argued.", "Jake & Amy"),
        Some(Organization)
    );
}

#[test]
fn speakers_salutations_and_word_names_before_a_modal() {
    finds(
        "Rosalind: omw, 5 min\nCounselor: Great, see you soon.\nRosalind: parking now\n",
        &[(Name, "Rosalind")],
    );
    keeps(
        "Rosalind: omw, 5 min\nCounselor: Great, see you soon.\n",
        &["Counselor", "Great"],
    );
    finds(
        "Anselm,\nThanks for covering group. Plan: Dawn will call the pharmacy about the refill.",
        &[(Name, "Anselm"), (Name, "Dawn")],
    );
    keeps(
        "Plan: Hope will continue to grow as sessions go on. Faith can bring comfort.\nLink \
         used: video. Time spent: 50 min. Vanderbilt (teacher) reviewed. Parkinson's \
         diagnosed 2019; speaks Navajo.",
        &[
            "Hope",
            "Faith",
            "Link",
            "Time",
            "Vanderbilt",
            "Parkinson",
            "Navajo",
        ],
    );
}

#[test]
fn a_word_name_speaking_in_a_thread_is_a_name_but_a_form_field_is_not() {
    finds(
        "Text thread, exported by the clinic\nJoy: lol ok see u thurs\nCounselor: See you \
         then.\nJoy: can i bring my sister",
        &[(Name, "Joy")],
    );
    keeps(
        "Text thread\nCounselor: Good morning.\nJoy: ok\n",
        &["Counselor", "Good"],
    );
    keeps(
        "Client: Odile Marchetti\nTherapist: Ruben Sato\nFaith: catholic\nPlan: weekly\n",
        &["Faith", "Plan"],
    );
}

#[test]
fn initials_after_a_common_word_ages_beside_a_relation_and_orgs_after_a_function_word() {
    finds(
        "Per F.T. (billing), the copay posted. Receipt PMT 88120. My dad (94) and her aunt, \
         ninety-two, live nearby.\nTo Hardin County Probate Court\nRe: guardianship",
        &[
            (Name, "F.T."),
            (Id, "PMT 88120"),
            (Age, "94"),
            (Age, "ninety-two"),
        ],
    );
    let got = spans(
        "To Hardin County Probate Court\nRe: guardianship",
        &KnownIdentifiers::new(),
    );
    assert!(got.iter().all(|(_, s)| !s.starts_with("To")), "{got:?}");
    assert!(got.iter().any(|(_, s)| s.contains("Hardin")), "{got:?}");
}
