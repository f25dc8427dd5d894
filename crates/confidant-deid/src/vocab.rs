//! Small hand-written word lists the rules use: titles, credentials, header labels, relation
//! words, organisation and street words, and capitalised words that are never identifiers
//! (months, medicines, therapy methods, platforms). All lower case.
//!
//! Nothing here comes from any document: these are the ordinary vocabulary of clinical English.

/// Matches `s` (any case) against a lower-case list.
pub(crate) fn is_in(list: &[&str], s: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// A word list the lexicon indexes: each word's entry carries `bit`.
pub(crate) struct List {
    /// This list's bit in [`crate::lexicon::Entry::lists`].
    pub bit: u32,
    /// The words, lower case.
    pub words: &'static [&'static str],
}

impl List {
    /// Whether `s` is in the list, ignoring ASCII case (a scan: for text outside a `Ctx`).
    pub fn contains(&self, s: &str) -> bool {
        is_in(self.words, s)
    }
}

/// The lists the lexicon indexes: a token's entry carries one bit per list it is in, so the
/// rules test membership with one lookup per token instead of scanning the lists.
pub(crate) fn indexed() -> [&'static List; 25] {
    [
        &TITLES,
        &CREDENTIALS,
        &PERSON_LABELS,
        &ORG_LABELS,
        &RELATIONS,
        &NAME_VERBS,
        &ORG_HEADS,
        &WEAK_ORG_HEADS,
        &GENERIC_ORG_WORDS,
        &DIRECTIONS,
        &UNITS,
        &ID_KEYS,
        &ID_FILLER,
        &CALENDAR,
        &HOLIDAYS,
        &STRONG_NAME_VERBS,
        &crate::names::EPONYM_HEADS,
        &crate::names::GREETINGS,
        &crate::names::CLOSINGS,
        &crate::places::LOC_PREPS,
        &crate::dates::DATE_CONTEXT,
        &crate::places::ROLE,
        &crate::places::DIRECT,
        &crate::places::FROM,
        &crate::numbers::PHONE_WORDS,
    ]
}

/// Month number of a full or abbreviated month name.
pub(crate) fn month(s: &str) -> Option<u8> {
    // Every month starts with one of these letters: most words are rejected here.
    if !s
        .as_bytes()
        .first()
        .is_some_and(|b| b"JFMASONDjfmasond".contains(b))
    {
        return None;
    }
    const NAMES: [(&str, &str); 12] = [
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may", "may"),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ];
    if s.len() < 3 || s.len() > 9 {
        return None;
    }
    for (i, (full, abbr)) in NAMES.iter().enumerate() {
        if s.eq_ignore_ascii_case(full) || s.eq_ignore_ascii_case(abbr) {
            return u8::try_from(i + 1).ok();
        }
    }
    if s.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    None
}

/// True for a full month name (not an abbreviation).
pub(crate) fn is_full_month(s: &str) -> bool {
    month(s).is_some() && (s.len() > 4 || is_in(&["may", "june", "july"], s))
}

/// Weekday names and abbreviations, singular only (`Tuesdays` is a habit, not a date).
pub(crate) fn is_weekday(s: &str) -> bool {
    const DAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ];
    is_in(DAYS, s)
}

/// Plural weekdays and other calendar words that are capitalised but not identifiers.
#[rustfmt::skip]
pub(crate) static CALENDAR: List = List {
    bit: 1 << 13,
    words: &[
    "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
    ],
};

/// Holidays on a fixed date (or named as a date): date elements under Safe Harbor.
pub(crate) static HOLIDAYS: List = List {
    bit: 1 << 14,
    words: &["christmas", "halloween", "thanksgiving"],
};

/// Titles before a name; the title itself stays.
#[rustfmt::skip]
pub(crate) static TITLES: List = List {
    bit: 1 << 0,
    words: &[
    "dr", "mr", "mrs", "ms", "mx", "miss", "mister", "doctor", "prof", "professor", "rev",
    "reverend", "pastor", "rabbi", "imam", "fr", "father", "sister", "brother", "coach", "officer",
    "judge", "det", "detective", "sgt", "sergeant", "capt", "captain", "lt", "nurse", "dean",
    "principal", "attorney", "counselor", "deputy", "sheriff", "aunt", "auntie", "uncle", "grandma",
    "grandpa", "nana", "papa", "madam", "sir", "dame", "lord", "lady", "chief", "honorable",
    "honourable", "hon",
    ],
};

/// Credentials written after a name (`Samir Day, MD`).
#[rustfmt::skip]
pub(crate) static CREDENTIALS: List = List {
    bit: 1 << 1,
    words: &[
    "md", "do", "phd", "psyd", "edd", "lmft", "mft", "lcsw", "licsw", "lmsw", "lsw", "msw", "lpc",
    "lpcc", "lcpc", "lmhc", "lmhca", "lpca", "lcmhc", "rn", "np", "pa", "aprn", "pmhnp", "fnp",
    "cnp", "dnp", "bcba", "cadc", "ladc", "lcadc", "lac", "ma", "ms", "mswi", "lp", "csw", "acsw",
    "jd", "esq", "rph", "pharmd", "dds", "lcdc", "ncc", "atr", "jr", "sr", "ii", "iii", "iv",
    ],
};

/// Header labels whose value is a person (`Name:`, `Facilitator:`).
#[rustfmt::skip]
pub(crate) static PERSON_LABELS: List = List {
    bit: 1 << 2,
    words: &[
    "name", "client", "patient", "member", "members", "facilitator", "facilitators",
    "cofacilitator", "co-facilitator", "attendee", "attendees", "participant", "participants",
    "present", "sponsor", "therapist", "clinician", "counselor", "counsellor", "provider",
    "supervisor", "supervisee", "trainee", "intern", "parent", "parents", "guardian", "mother",
    "father", "mom", "dad", "spouse", "partner", "husband", "wife", "child", "children", "son",
    "daughter", "sibling", "siblings", "contact", "pcp", "psychiatrist", "prescriber", "physician",
    "doctor", "signed", "signature", "author", "from", "to", "cc", "attn", "student", "teacher",
    "interpreter", "witness", "caseworker", "worker", "manager", "referrer", "clients", "patients",
    "couple", "family", "nurse", "coach", "advocate", "attorney", "officer", "reviewer",
    "clinicians", "staff", "by", "with", "re", "attending", "referring", "guarantor",
    "subscriber", "policyholder", "insured", "caregiver", "respondent", "petitioner", "defendant",
    "plaintiff", "minor", "resident", "tenant", "applicant", "informant", "supervisee",
    ],
};

/// Header labels whose value is an employer, school or facility.
#[rustfmt::skip]
pub(crate) static ORG_LABELS: List = List {
    bit: 1 << 3,
    words: &[
    "employer", "school", "workplace", "agency", "facility", "practice", "company", "organization",
    "organisation", "hospital", "clinic", "program", "college", "university", "church",
    ],
};

/// Words for people around the client; a capitalised word after one is a name.
#[rustfmt::skip]
pub(crate) static RELATIONS: List = List {
    bit: 1 << 4,
    words: &[
    "cousin", "mother", "mom", "mum", "father", "dad", "sister", "brother", "wife", "husband",
    "partner", "spouse", "boyfriend", "girlfriend", "fiance", "fiancee", "fiancé", "fiancée", "son",
    "daughter", "child", "kid", "aunt", "uncle", "grandmother", "grandma", "grandfather", "grandpa",
    "grandson", "granddaughter", "niece", "nephew", "friend", "roommate", "housemate", "coworker",
    "colleague", "boss", "manager", "supervisor", "teacher", "counselor", "therapist",
    "psychiatrist", "doctor", "sponsor", "peer", "neighbor", "neighbour", "ex", "stepmother",
    "stepfather", "stepson", "stepdaughter", "stepmom", "stepdad", "caseworker", "attorney",
    "lawyer", "pastor", "coach", "landlord", "classmate", "baby", "toddler", "infant", "twin",
    "sibling", "stepsister", "stepbrother", "half-sister", "half-brother", "mentor", "tutor",
    "babysitter", "nanny", "caregiver", "guardian", "parent", "ex-husband", "ex-wife",
    "ex-boyfriend", "ex-girlfriend", "ex-partner", "bestie", "buddy", "pal", "godmother",
    "godfather", "fiancé", "client", "patient", "member", "named", "called", "nicknamed", "dog",
    "cat", "puppy", "pet", "employee", "supervisee", "intern", "resident", "student", "niece",
    "grandchild", "grandkids", "children", "kids", "sons", "daughters", "brothers", "sisters",
    "cousins", "friends", "parents", "grandparents",
    ],
};

/// Verbs that only a person does: after one, a name that is also a word (Hope, Will) opening
/// a sentence is a name (`Hope said`; not `Hope remains`, `Will continue`).
#[rustfmt::skip]
pub(crate) static STRONG_NAME_VERBS: List = List {
    bit: 1 << 15,
    words: &[
    "said", "says", "reported", "reports", "stated", "states", "told", "tells", "called", "calls",
    "texted", "emailed", "shared", "shares", "explained", "explains", "asked", "asks", "cried",
    "laughed", "smiled", "endorsed", "endorses", "denied", "denies", "presented", "arrived",
    "arrives", "agreed", "agrees", "disclosed", "discloses", "admitted", "admits", "acknowledged",
    "described", "describes", "expressed", "expresses", "complained", "attended", "attends",
    "missed", "spoke", "talked", "talks", "wrote", "writes", "answered", "replied", "noted",
    "mentioned", "recalled", "declined", "requested", "identified", "practiced", "practised",
    "completed", "worked", "works", "lives", "lived", "moved", "came", "went", "wants", "wanted",
    "feels", "felt", "thinks", "thought", "believes", "worries", "worried", "struggles",
    "struggled", "participated", "engaged", "rated", "scored", "visited", "phoned", "signed",
    "consented", "joined", "cancelled", "canceled", "rescheduled", "slept", "drank", "used",
    "relapsed", "walked", "drove", "stayed", "hugged", "yelled", "apologized", "apologised", "and",
    ],
};

/// Verbs that follow a person's name: they let a name that is also a word (Hope, Will) stand
/// at the start of a sentence.
#[rustfmt::skip]
pub(crate) static NAME_VERBS: List = List {
    bit: 1 << 5,
    words: &[
    "said", "says", "reported", "reports", "stated", "states", "called", "calls", "shared",
    "shares", "noted", "notes", "endorsed", "endorses", "denied", "denies", "presented", "presents",
    "arrived", "arrives", "agreed", "agrees", "expressed", "expresses", "described", "describes",
    "disclosed", "discloses", "admitted", "admits", "acknowledged", "acknowledges", "explained",
    "explains", "asked", "asks", "told", "tells", "cried", "attended", "attends", "missed",
    "misses", "texted", "emailed", "wrote", "writes", "complained", "complains", "identified",
    "identifies", "practiced", "practised", "completed", "completes", "returned", "returns",
    "requested", "requests", "declined", "declines", "appeared", "appears", "smiled", "laughed",
    "became", "began", "begins", "continues", "continued", "feels", "felt", "wants", "wanted",
    "needs", "needed", "was", "is", "has", "had", "and", "who", "did", "does", "spoke", "talked",
    "talks", "raised", "recalled", "recalls", "worked", "works", "lives", "lived", "moved", "left",
    "came", "comes", "went", "goes", "got", "gets", "offered", "offers", "struggled", "struggles",
    "remains", "remained", "mentioned", "mentions", "worries", "worried", "believes", "believed",
    "thinks", "thought", "knows", "knew", "sees", "saw", "joined", "joins", "brought", "brings",
    "led", "leads", "opened", "opens", "will", "would", "could", "can", "should", "may", "might",
    "must", "seemed", "seems", "tried", "tries", "responded", "responds", "participated",
    "participates", "engaged", "engages", "turned", "visited", "visits", "phoned", "signed",
    "consented", "scored", "rated", "rates", "denied",
    ],
};

/// Words that end an organisation's name (`Dover Community Hospital`).
#[rustfmt::skip]
pub(crate) static ORG_HEADS: List = List {
    bit: 1 << 6,
    words: &[
    "medicine", "pd", "fd", "ems",
    "architects", "architecture", "attorneys", "lawyers", "law", "accounting", "accountants",
    "consultants", "advisors", "advisers", "builders", "contractors", "landscaping", "plumbing",
    "electric", "roofing", "cleaners", "movers", "trucking", "transport", "dentistry",
    "orthodontics", "optometry", "chiropractic", "veterinary", "manor", "retreat", "haven",
    "sanctuary", "sons", "brothers", "bros", "partnership", "ventures", "holdings", "capital",
    "hospital", "hospitals", "clinic", "clinics", "center", "centre", "centers", "school",
    "schools", "academy", "college", "university", "institute", "church", "parish", "chapel",
    "cathedral", "temple", "synagogue", "mosque", "ministries", "ministry", "department", "dept",
    "inc", "llc", "llp", "ltd", "corp", "corporation", "company", "co", "group", "services",
    "counseling", "counselling", "therapy", "therapies", "associates", "partners", "practice",
    "bank", "diner", "restaurant", "cafe", "café", "bakery", "market", "grocery", "pharmacy",
    "foundation", "agency", "library", "shelter", "logistics", "solutions", "systems",
    "technologies", "industries", "enterprises", "consulting", "construction", "motors", "realty",
    "studio", "studios", "gym", "fitness", "ymca", "ywca", "club", "society", "association",
    "union", "council", "authority", "office", "lutheran", "baptist", "methodist", "presbyterian",
    "episcopal", "catholic", "evangelical", "pentecostal", "elementary", "preschool", "daycare",
    "montessori", "home", "homes", "residence", "facility", "lodge", "farm", "farms", "mart",
    "store", "stores", "shop", "hotel", "inn", "airlines", "airport", "transit", "health",
    "healthcare", "wellness", "behavioral", "medical", "psychiatry", "psychology", "pediatrics",
    "recovery", "rehab", "rehabilitation", "hospice", "network", "alliance", "collective",
    "cooperative", "co-op", "coop", "brewery", "pizzeria", "grill", "tavern", "salon", "spa",
    "garage", "plant", "factory", "warehouse", "mill", "firm", "bureau", "high", "middle", "prep",
    "seminary", "conservatory", "outreach", "house", "place", "commons", "mall", "plaza", "pub",
    "bar", "kitchen", "foods", "supply", "manufacturing", "insurance", "hardware", "auto", "dental",
    "labs", "laboratories", "pharmaceuticals", "charter", "nursery", "kindergarten", "ranch",
    "resort", "casino", "theater", "theatre", "museum", "zoo", "stadium", "arena", "station",
    "precinct", "court", "jail", "prison", "correctional", "detention", "army", "navy", "guard",
    // trades and small-town businesses (weak: they need a proper name before them)
    "welding", "machine", "machining", "fabrication", "tool", "die", "grain", "seafood", "lumber",
    "meats", "poultry", "dairy", "creamery", "orchards", "vineyards", "winery", "cannery",
    "excavating", "paving", "towing", "salvage", "recycling", "implement", "rentals",
    "management", "properties", "apartments", "pantry", "outfitters", "heating", "cooling",
    "janitorial", "staffing", "catering", "grocers", "tire", "tires", "collision", "printing",
    "steel", "metals", "plastics", "greenhouses", "masonry", "concrete", "flooring", "cabinets",
    "marina", "hatchery", "brewing", "distillery", "roasters", "bistro", "eatery", "steakhouse",
    "laundromat", "barbershop", "florist", "mortuary", "kennels", "stables", "freight", "hauling",
    "aviation", "railroad", "offices",
    ],
};

/// Head words that name an organisation only with a proper name before them, never alone, and
/// that may not end a street-like run (`Mulberry Street Diner` is a diner).
#[rustfmt::skip]
pub(crate) static WEAK_ORG_HEADS: List = List {
    bit: 1 << 7,
    words: &[
    "home", "homes", "house", "place", "health", "medical", "behavioral", "therapy", "counseling",
    "counselling", "high", "middle", "county", "district", "court", "station", "plant", "office",
    "market", "network", "group", "practice", "recovery", "wellness", "psychiatry", "psychology",
    "pediatrics", "co", "plaza", "commons", "bar", "kitchen", "foods", "supply", "auto", "mill",
    "firm", "guard", "army", "navy", "union", "council", "authority", "bureau", "alliance",
    "collective", "charter", "inn", "club", "services", "department", "dept", "center", "centre",
    "insurance", "hardware", "dental", "labs", "farm", "farms", "living", "care",
    "welding", "machine", "machining", "fabrication", "tool", "die", "grain", "seafood", "lumber",
    "meats", "poultry", "dairy", "creamery", "orchards", "vineyards", "winery", "cannery",
    "excavating", "paving", "towing", "salvage", "recycling", "implement", "rentals",
    "management", "properties", "apartments", "pantry", "outfitters", "heating", "cooling",
    "janitorial", "staffing", "catering", "grocers", "tire", "tires", "collision", "printing",
    "steel", "metals", "plastics", "greenhouses", "masonry", "concrete", "flooring", "cabinets",
    "marina", "hatchery", "brewing", "distillery", "roasters", "bistro", "eatery", "steakhouse",
    "laundromat", "barbershop", "florist", "mortuary", "kennels", "stables", "freight", "hauling",
    "aviation", "railroad",
    ],
};

/// Capitalised words that describe an organisation without naming one; an organisation made of
/// these alone (`Regional Medical Center`) identifies no one.
#[rustfmt::skip]
pub(crate) static GENERIC_ORG_WORDS: List = List {
    bit: 1 << 8,
    words: &[
    "the", "community", "medical", "regional", "general", "public", "memorial", "family",
    "children", "childrens", "mental", "health", "behavioral", "university", "state", "county",
    "city", "national", "central", "psychological", "psychiatric", "counseling", "elementary",
    "middle", "high", "senior", "junior", "primary", "care", "christian", "catholic", "emergency",
    "department", "hospital", "clinic", "center", "centre", "school", "services", "service",
    "social", "security", "administration", "protective", "child", "adult", "youth", "outpatient",
    "inpatient", "residential", "treatment", "recovery", "crisis", "intensive", "partial",
    "program", "day", "night", "urgent", "veterans", "affairs", "va", "local", "area", "united",
    "american", "new", "north", "south", "east", "west", "my", "our", "your", "his", "her", "their",
    "this", "that", "a", "an", "human", "resources", "motor", "vehicles", "corrections", "justice",
    "police", "fire", "sheriff", "court", "courts", "superior", "district", "juvenile", "probate",
    "drug", "alcohol", "anonymous", "narcotics", "therapy", "group", "wellness", "office", "main",
    "practice", "private", "student", "students", "high", "graduate", "medicine", "nursing",
    "dental", "eye", "cancer", "heart", "women", "womens", "men", "mens", "teen", "teens", "girls",
    "boys", "pediatric", "geriatric", "detox", "sober", "living", "assisted", "independent",
    "support", "resource", "resources", "legal", "aid", "housing", "authority", "transit",
    "planned", "parenthood", "head", "start", "college", "academy", "institute", "of", "for", "and",
    "&", "at", "in",
    ],
};

/// Street-type words after a street name; the value says whether it can stand without a house
/// number before it (`lives on Maple Street` yes, `Oak Dr` no).
pub(crate) fn street_suffix(s: &str) -> Option<bool> {
    const FULL: &[&str] = &[
        "street",
        "avenue",
        "road",
        "boulevard",
        "lane",
        "drive",
        "court",
        "circle",
        "parkway",
        "highway",
        "terrace",
        "trail",
        "place",
        "way",
        "square",
        "crescent",
        "alley",
        "turnpike",
        "expressway",
        "freeway",
        "pike",
        "loop",
        "row",
        "close",
        "run",
        "ridge",
        "crossing",
        "heights",
        "path",
        "walk",
        "grove",
        "gardens",
        "plaza",
        "point",
        "landing",
        "commons",
        "mews",
        "bend",
        "cove",
        "glen",
        "hollow",
        "view",
        "hill",
        "park",
        "pass",
        "green",
    ];
    const ABBR: &[&str] = &[
        "st", "ave", "av", "rd", "blvd", "ln", "dr", "ct", "cir", "pkwy", "hwy", "ter", "terr",
        "trl", "pl", "sq", "cres", "aly", "tpke", "expy", "fwy", "xing", "hts", "pt", "cv", "wy",
        "blv", "str",
    ];
    const STANDALONE: &[&str] = &[
        "street",
        "avenue",
        "road",
        "boulevard",
        "lane",
        "drive",
        "parkway",
        "highway",
        "terrace",
        "turnpike",
        "expressway",
        "freeway",
        "pike",
        "st",
        "ave",
        "rd",
        "blvd",
        "ln",
        "pkwy",
        "hwy",
    ];
    if is_in(FULL, s) || is_in(ABBR, s) {
        return Some(is_in(STANDALONE, s));
    }
    None
}

/// Compass words inside addresses (`12 N Main St`, `4 Elm St NW`).
#[rustfmt::skip]
pub(crate) static DIRECTIONS: List = List {
    bit: 1 << 9,
    words: &[
    "n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west", "northeast",
    "northwest", "southeast", "southwest",
    ],
};

/// Words for a unit within a building (`Apt 4B`, `Suite 300`, `#3`).
#[rustfmt::skip]
pub(crate) static UNITS: List = List {
    bit: 1 << 10,
    words: &[
    "apt", "apartment", "unit", "suite", "ste", "fl", "floor", "rm", "room", "bldg", "building",
    "lot", "space", "trailer", "dorm", "box",
    ],
};

/// Words that, with a number after them, make that number an identifier.
#[rustfmt::skip]
pub(crate) static ID_KEYS: List = List {
    bit: 1 << 11,
    words: &[
    "chart", "mrn", "record", "records", "acct", "account", "member", "policy", "subscriber",
    "claim", "case", "docket", "license", "licence", "lic", "permit", "badge", "employee",
    "student", "id", "identifier", "ssn", "ss", "vin", "plate", "plates", "tag", "auth",
    "authorization", "authorisation", "reference", "ref", "confirmation", "conf", "serial",
    "device", "npi", "dea", "passport", "medicaid", "medicare", "certificate", "cert",
    "registration", "reg", "file", "inmate", "booking", "ticket", "invoice", "order", "tracking", "receipt", "transaction", "voucher",
    "routing", "card", "pin", "mbi", "hicn", "insurance", "insured", "beneficiary", "enrollee",
    "group", "grp", "dl", "license#", "patient", "client", "visit", "encounter", "sid", "uid",
    "lmft", "lcsw", "lpc", "lmhc", "licsw", "lpcc", "psy", "psyd", "phd", "md", "plan",
    ],
};

/// Filler between an identifier keyword and its value (`Chart #: 21206`, `ID number is`).
#[rustfmt::skip]
pub(crate) static ID_FILLER: List = List {
    bit: 1 << 12,
    words: &[
    "#", ":", "number", "no", "num", "nbr", ".", "is", "was", "-", "id", "code", "of", "numbers",
    ],
};

/// Two-letter state codes, and the states themselves: a state alone is not an identifier, but
/// it marks the city before it and the ZIP code after it.
#[rustfmt::skip]
pub(crate) static STATE_CODES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR",
];

/// State names, written as tokens joined by a space.
#[rustfmt::skip]
pub(crate) static STATES: &[&str] = &[
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
    "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
    "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi",
    "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico",
    "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania",
    "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont",
    "virginia", "washington", "west virginia", "wisconsin", "wyoming", "puerto rico",
];

/// Countries and territories of several words (never identifiers).
#[rustfmt::skip]
pub(crate) static REGION_PHRASES: &[&str] = &[
    "puerto rico", "united states", "new zealand", "south africa", "el salvador", "costa rica",
    "united kingdom", "great britain", "south korea", "north korea", "saudi arabia", "sri lanka",
    "dominican republic", "hong kong", "sierra leone", "ivory coast", "czech republic",
    "united arab emirates", "new england", "pacific northwest", "virgin islands",
];

/// Capitalised words in therapy notes that are never identifiers: languages and peoples,
/// faiths, programs, platforms, payers, instruments, and common medicines.
#[rustfmt::skip]
pub(crate) static NEVER: &[&str] = &[
    // pronouns and the like
    "i", "i'm", "i've", "ok", "okay", "mom", "dad", "mum", "grandma", "grandpa", "nana", "papa",
    "god", "mass", "jesus", "christ", "allah", "lord", "bible", "quran", "koran", "torah", "buddha",
    // languages, peoples, faiths
    "english", "spanish", "french", "german", "italian", "portuguese", "chinese", "mandarin",
    "cantonese", "japanese", "korean", "vietnamese", "tagalog", "filipino", "arabic", "hebrew",
    "russian", "ukrainian", "polish", "hindi", "urdu", "bengali", "punjabi", "somali", "swahili",
    "amharic", "haitian", "creole", "asl", "american", "african", "asian", "european", "latino",
    "latina", "latinx", "latine", "hispanic", "black", "white", "native", "indigenous", "mexican",
    "canadian", "christian", "christians", "catholic", "protestant", "muslim", "jewish", "hindu",
    "buddhist", "sikh", "mormon", "lds", "orthodox", "evangelical", "baptist", "lutheran",
    "methodist", "pagan", "atheist", "agnostic", "lgbtq", "lgbt", "lgbtqia", "queer", "trans",
    "ramadan", "passover", "hanukkah", "easter", "diwali", "eid", "lent", "yom", "kippur",
    "navajo", "diné", "dine", "lakota", "ojibwe", "ojibwa", "anishinaabe", "hopi", "yupik",
    "inupiaq", "hmong", "oromo", "tigrinya", "pashto", "dari", "farsi", "persian", "kurdish",
    "nepali", "burmese", "khmer", "lao", "thai", "hawaiian", "samoan", "tongan", "marshallese",
    "chuukese", "ilocano", "gujarati", "tamil", "telugu", "marathi", "malayalam", "yoruba", "igbo",
    "hausa", "twi", "akan", "wolof", "lingala", "kinyarwanda", "kirundi", "quechua", "mixtec",
    "zapotec", "nahuatl", "garifuna", "romani", "yiddish", "arab", "turkish", "greek", "dutch",
    "swedish", "norwegian", "danish", "finnish", "irish", "scottish", "welsh", "jamaican",
    "dominican", "salvadoran", "guatemalan", "honduran", "cuban", "colombian", "venezuelan",
    "peruvian", "brazilian", "nigerian", "ghanaian", "ethiopian", "eritrean", "kenyan",
    "congolese", "sudanese", "afghan", "iraqi", "syrian", "lebanese", "palestinian", "iranian",
    "pakistani", "indian", "bangladeshi", "tibetan", "bhutanese", "cambodian", "laotian",
    // diseases and syndromes named after people (diagnoses are not identifiers)
    "parkinson", "parkinsons", "alzheimer", "alzheimers", "asperger", "aspergers", "tourette",
    "tourettes", "crohn", "crohns", "hashimoto", "korsakoff", "wernicke", "munchausen",
    "capgras",
    // programs, methods, instruments
    "aa", "na", "al-anon", "alanon", "smart", "dbt", "cbt", "act", "emdr", "ifs", "cpt", "pe",
    "tf-cbt", "mi", "sfbt", "eft", "gottman", "linehan", "beck", "socratic", "rogerian", "freudian",
    "jungian", "adlerian", "bowen", "satir", "minuchin", "yalom", "maslow", "phq", "gad", "pcl",
    "audit", "dast", "cssrs", "c-ssrs", "columbia", "vanderbilt", "conners", "achenbach",
    "wechsler", "rorschach", "zung", "stroop", "ace", "aces", "asrs", "moca", "mmse", "bdi",
    "bai", "ybocs", "y-bocs", "ocir", "pss", "ors", "srs", "cage", "dsm", "icd", "hipaa", "ferpa",
    "iep", "fmla", "ada", "sud", "mdd", "gad", "ptsd", "adhd", "ocd", "bpd", "asd", "odd", "cptsd",
    "si", "hi", "avh", "mse", "nkda", "prn", "bid", "tid", "qd", "qhs", "hs", "po", "im", "er",
    "ed", "icu", "iop", "php", "ect", "tms", "ketamine", "zoom", "teams", "doxy", "facetime",
    "skype", "webex", "google", "facebook", "instagram", "tiktok", "snapchat", "youtube", "discord",
    "reddit", "twitter", "whatsapp", "telegram", "signal", "tinder", "bumble", "hinge", "grindr",
    "linkedin", "iphone", "android", "ipad", "xbox", "playstation", "nintendo", "fortnite",
    "minecraft", "roblox", "netflix", "hulu", "spotify", "uber", "lyft", "doordash", "venmo",
    "paypal", "cashapp", "amazon", "walmart", "costco", "target", "starbucks", "mcdonalds",
    "mcdonald's", "internet", "wifi", "covid", "covid-19", "coronavirus", "omicron", "medicaid",
    "medicare", "tricare", "chip", "ssi", "ssdi", "snap", "wic", "tanf", "section", "aetna",
    "cigna", "humana", "kaiser", "anthem", "bcbs", "optum", "magellan", "beacon",
    "unitedhealthcare", "uhc", "molina", "centene", "ambetter", "oscar", "tufts", "harvard", "cpt",
    "dx", "rx", "hx", "tx", "sx", "fx", "pt", "ot", "slp", "pcp", "ob", "gyn", "ob-gyn", "ent",
    "gi", "np", "pa", "rn", "lpn", "cna", "md", "do", "phd", "psyd", "lcsw", "lmft", "lpc", "mft",
    "msw", "ceu", "ceus", "cms", "fda", "cdc", "nih", "samhsa", "nami", "dcf", "cps", "aps", "dss",
    "dhs", "hhs", "dmv", "irs", "ssa", "va", "fbi", "ice", "tsa", "usps", "ups", "fedex", "dhl",
    "ged", "sat", "act", "gpa", "ap", "ib", "ged", "llc", "inc", "usa", "us", "u.s", "uk", "eu",
    "un", "who", "nyc", "la", "dc",
    // medicines (brand and generic) a note may capitalise
    "zoloft", "sertraline", "prozac", "fluoxetine", "lexapro", "escitalopram", "celexa",
    "citalopram", "paxil", "paroxetine", "luvox", "fluvoxamine", "effexor", "venlafaxine",
    "pristiq", "desvenlafaxine", "cymbalta", "duloxetine", "wellbutrin", "bupropion", "remeron",
    "mirtazapine", "trazodone", "desyrel", "trintellix", "vortioxetine", "viibryd", "vilazodone",
    "spravato", "esketamine", "elavil", "amitriptyline", "pamelor", "nortriptyline", "anafranil",
    "clomipramine", "buspar", "buspirone", "xanax", "alprazolam", "ativan", "lorazepam", "klonopin",
    "clonazepam", "valium", "diazepam", "restoril", "temazepam", "ambien", "zolpidem", "lunesta",
    "eszopiclone", "sonata", "belsomra", "melatonin", "hydroxyzine", "vistaril", "atarax",
    "propranolol", "inderal", "prazosin", "minipress", "clonidine", "kapvay", "guanfacine",
    "intuniv", "tenex", "adderall", "amphetamine", "vyvanse", "lisdexamfetamine", "ritalin",
    "methylphenidate", "concerta", "focalin", "dexmethylphenidate", "strattera", "atomoxetine",
    "qelbree", "viloxazine", "provigil", "modafinil", "seroquel", "quetiapine", "abilify",
    "aripiprazole", "risperdal", "risperidone", "zyprexa", "olanzapine", "geodon", "ziprasidone",
    "latuda", "lurasidone", "rexulti", "brexpiprazole", "vraylar", "cariprazine", "caplyta",
    "lumateperone", "invega", "paliperidone", "haldol", "haloperidol", "clozaril", "clozapine",
    "lithium", "lithobid", "depakote", "valproate", "divalproex", "lamictal", "lamotrigine",
    "tegretol", "carbamazepine", "trileptal", "oxcarbazepine", "topamax", "topiramate", "neurontin",
    "gabapentin", "lyrica", "pregabalin", "suboxone", "buprenorphine", "subutex", "sublocade",
    "methadone", "naltrexone", "vivitrol", "naloxone", "narcan", "antabuse", "disulfiram",
    "campral", "acamprosate", "chantix", "varenicline", "nicorette", "tylenol", "acetaminophen",
    "advil", "ibuprofen", "motrin", "aleve", "naproxen", "aspirin", "benadryl", "diphenhydramine",
    "zyrtec", "claritin", "synthroid", "levothyroxine", "metformin", "ozempic", "wegovy",
    "mounjaro", "semaglutide", "tirzepatide", "insulin", "lipitor", "atorvastatin", "lisinopril",
    "prednisone", "oxycodone", "percocet", "vicodin", "hydrocodone", "fentanyl", "tramadol",
    "xyrem", "nuplazid", "cogentin", "benztropine", "ingrezza", "austedo", "zurzuvae", "zulresso",
    "auvelity", "lybalvi", "cobenfy",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indexed_list_has_its_own_bit() {
        let bits: Vec<u32> = indexed().iter().map(|l| l.bit).collect();
        let mut all = 0u32;
        for b in &bits {
            assert_eq!(b.count_ones(), 1);
            assert_eq!(all & b, 0, "bit {b:#x} used twice");
            all |= b;
        }
    }

    #[test]
    fn lists_are_lower_case_so_lookups_match() {
        for l in indexed() {
            for w in l.words {
                assert_eq!(*w, w.to_lowercase(), "{w}");
            }
        }
    }
}
