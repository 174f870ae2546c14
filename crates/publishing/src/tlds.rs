//! The top-level domains a link must end with to count as a link on X (and, through the same
//! rules, on Mastodon). Written by the project, not copied: every two-letter ASCII domain is
//! taken as a country code (IANA assigns country codes only as two letters, and only two
//! letters), plus the generic domains below and the internationalised country codes people
//! in Quebec are likely to meet. A link ending in a generic domain missing from this list
//! counts character by character, as on a client that does not know it.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Generic top-level domains, lowercase.
const GENERIC: &[&str] = &[
    "academy",
    "accountant",
    "actor",
    "aero",
    "agency",
    "airforce",
    "amazon",
    "apple",
    "app",
    "archi",
    "army",
    "art",
    "arts",
    "asia",
    "associates",
    "attorney",
    "audio",
    "auto",
    "bank",
    "bar",
    "bargains",
    "beer",
    "berlin",
    "best",
    "bible",
    "bike",
    "bio",
    "biz",
    "black",
    "blog",
    "blue",
    "boutique",
    "build",
    "builders",
    "business",
    "buzz",
    "bzh",
    "cab",
    "cafe",
    "camera",
    "camp",
    "capital",
    "cards",
    "care",
    "career",
    "careers",
    "cash",
    "cat",
    "catering",
    "center",
    "centre",
    "chat",
    "cheap",
    "church",
    "city",
    "claims",
    "cleaning",
    "click",
    "clinic",
    "clothing",
    "cloud",
    "club",
    "coach",
    "codes",
    "coffee",
    "college",
    "com",
    "community",
    "company",
    "computer",
    "construction",
    "consulting",
    "contractors",
    "cooking",
    "cool",
    "coop",
    "corsica",
    "country",
    "coupons",
    "courses",
    "credit",
    "cricket",
    "cruises",
    "dance",
    "data",
    "dating",
    "deals",
    "degree",
    "delivery",
    "democrat",
    "dental",
    "dentist",
    "design",
    "dev",
    "diamonds",
    "diet",
    "digital",
    "direct",
    "directory",
    "discount",
    "doctor",
    "dog",
    "domains",
    "download",
    "earth",
    "eco",
    "edu",
    "education",
    "email",
    "energy",
    "engineer",
    "engineering",
    "enterprises",
    "equipment",
    "estate",
    "eus",
    "events",
    "exchange",
    "expert",
    "exposed",
    "express",
    "facebook",
    "fail",
    "faith",
    "family",
    "fans",
    "farm",
    "fashion",
    "film",
    "finance",
    "financial",
    "fish",
    "fitness",
    "flights",
    "florist",
    "football",
    "forsale",
    "foundation",
    "frl",
    "fun",
    "fund",
    "furniture",
    "gal",
    "gallery",
    "game",
    "games",
    "garden",
    "gift",
    "gifts",
    "gives",
    "glass",
    "global",
    "gmbh",
    "gold",
    "golf",
    "google",
    "gov",
    "graphics",
    "gratis",
    "green",
    "gripe",
    "group",
    "guide",
    "guitars",
    "guru",
    "hamburg",
    "health",
    "healthcare",
    "help",
    "hockey",
    "holdings",
    "holiday",
    "homes",
    "horse",
    "hospital",
    "host",
    "hosting",
    "hotel",
    "house",
    "how",
    "immo",
    "immobilien",
    "inc",
    "industries",
    "info",
    "ink",
    "institute",
    "insure",
    "int",
    "international",
    "investments",
    "jetzt",
    "jewelry",
    "jobs",
    "juegos",
    "kaufen",
    "kim",
    "kitchen",
    "kiwi",
    "land",
    "lat",
    "law",
    "lawyer",
    "lease",
    "legal",
    "lgbt",
    "life",
    "lighting",
    "limited",
    "limo",
    "link",
    "live",
    "llc",
    "loan",
    "loans",
    "lol",
    "london",
    "love",
    "ltd",
    "luxury",
    "maison",
    "management",
    "market",
    "marketing",
    "mba",
    "media",
    "memorial",
    "men",
    "menu",
    "microsoft",
    "mil",
    "mobi",
    "moda",
    "moe",
    "mom",
    "money",
    "mortgage",
    "movie",
    "museum",
    "music",
    "name",
    "navy",
    "net",
    "network",
    "new",
    "news",
    "ngo",
    "ninja",
    "nyc",
    "observer",
    "one",
    "ong",
    "onl",
    "online",
    "ooo",
    "org",
    "organic",
    "ovh",
    "page",
    "paris",
    "partners",
    "parts",
    "party",
    "pet",
    "phd",
    "photo",
    "photography",
    "photos",
    "pics",
    "pictures",
    "pink",
    "pizza",
    "place",
    "plumbing",
    "plus",
    "poker",
    "porn",
    "post",
    "press",
    "pro",
    "productions",
    "promo",
    "properties",
    "property",
    "pub",
    "quebec",
    "racing",
    "radio",
    "realestate",
    "realty",
    "recipes",
    "red",
    "rehab",
    "reise",
    "reisen",
    "rent",
    "rentals",
    "repair",
    "report",
    "republican",
    "rest",
    "restaurant",
    "review",
    "reviews",
    "rich",
    "rip",
    "rocks",
    "run",
    "sale",
    "salon",
    "sarl",
    "school",
    "schule",
    "science",
    "scot",
    "services",
    "sex",
    "sexy",
    "shiksha",
    "shoes",
    "shop",
    "shopping",
    "show",
    "singles",
    "site",
    "ski",
    "soccer",
    "social",
    "software",
    "solar",
    "solutions",
    "space",
    "sport",
    "srl",
    "store",
    "stream",
    "studio",
    "study",
    "style",
    "sucks",
    "supplies",
    "supply",
    "support",
    "surf",
    "surgery",
    "swiss",
    "systems",
    "tax",
    "taxi",
    "team",
    "tech",
    "technology",
    "tel",
    "tennis",
    "theater",
    "tienda",
    "tips",
    "tires",
    "today",
    "tokyo",
    "tools",
    "top",
    "tours",
    "town",
    "toys",
    "trade",
    "training",
    "travel",
    "tube",
    "university",
    "uno",
    "vacations",
    "vegas",
    "ventures",
    "vet",
    "viajes",
    "video",
    "villas",
    "vin",
    "vision",
    "vodka",
    "vote",
    "voto",
    "voyage",
    "wales",
    "wang",
    "watch",
    "webcam",
    "website",
    "wedding",
    "wiki",
    "win",
    "wine",
    "work",
    "works",
    "world",
    "wtf",
    "xxx",
    "xyz",
    "yoga",
    "youtube",
    "zone",
];

/// Internationalised country-code domains (written in their own script).
const INTERNATIONALISED_COUNTRY_CODES: &[&str] = &[
    "پاکستان",
    "рф",
    "срб",
    "укр",
    "қаз",
    "бел",
    "мкд",
    "мон",
    "ею",
    "ελ",
    "中国",
    "中國",
    "香港",
    "台湾",
    "台灣",
    "澳門",
    "新加坡",
    "한국",
    "ไทย",
    "الجزائر",
    "مصر",
    "ایران",
    "عمان",
    "السعودية",
    "امارات",
    "المغرب",
    "تونس",
    "قطر",
    "الاردن",
    "فلسطين",
    "հայ",
    "გე",
    "भारत",
    "ලංකා",
    "இந்தியா",
    "বাংলা",
];

/// Country codes that X links even without a scheme or path (`t.co`, `example.tv`).
const SPECIAL_SHORT_COUNTRY_CODES: &[&str] = &["co", "tv"];

/// What kind of top-level domain a label is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TldKind {
    Generic,
    CountryCode,
}

/// The known domains, lowercase, built once.
fn known_tlds() -> &'static HashMap<String, TldKind> {
    static KNOWN: OnceLock<HashMap<String, TldKind>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut known = HashMap::new();
        for tld in GENERIC {
            known.insert((*tld).to_owned(), TldKind::Generic);
        }
        for tld in INTERNATIONALISED_COUNTRY_CODES {
            known.insert((*tld).to_owned(), TldKind::CountryCode);
        }
        known
    })
}

/// The longest name in the lists, in characters.
const LONGEST_TLD_CHARS: usize = 24;

/// The longest top-level domain that `candidate` starts with, compared without case, whose
/// end is not followed by an ASCII letter, digit, `@`, `+` or `-` (X's boundary rule), with its
/// length in characters.
pub(crate) fn match_tld(candidate: &[char]) -> Option<(usize, TldKind)> {
    let boundary_ok = |length: usize| {
        candidate
            .get(length)
            .is_none_or(|&next| !(next.is_ascii_alphanumeric() || matches!(next, '@' | '+' | '-')))
    };
    let lowercase: Vec<char> = candidate
        .iter()
        .take(LONGEST_TLD_CHARS)
        .take_while(|c| !(c.is_ascii_punctuation() || c.is_whitespace()))
        .map(|&c| {
            // One character for one, so that lengths stay offsets into the candidate; the
            // few characters whose lowercase is longer are in no domain name.
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(single), None) => single,
                _ => c,
            }
        })
        .collect();
    let known = known_tlds();
    for length in (2..=lowercase.len()).rev() {
        if !boundary_ok(length) {
            continue;
        }
        let prefix: String = lowercase[..length].iter().collect();
        if let Some(kind) = known.get(&prefix) {
            return Some((length, *kind));
        }
    }
    if candidate.len() >= 2
        && candidate[0].is_ascii_alphabetic()
        && candidate[1].is_ascii_alphabetic()
        && boundary_ok(2)
    {
        return Some((2, TldKind::CountryCode));
    }
    match_punycode_tld(candidate).map(|length| (length, TldKind::Generic))
}

/// `xn--` followed by letters, digits and hyphens (a Punycode top-level domain).
fn match_punycode_tld(candidate: &[char]) -> Option<usize> {
    let prefix: Vec<char> = candidate
        .iter()
        .take(4)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if prefix != ['x', 'n', '-', '-'] {
        return None;
    }
    let rest = candidate[4..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '-')
        .count();
    (rest > 0).then_some(4 + rest)
}

/// Whether a country code is one X links without a scheme or path.
pub(crate) fn is_special_short_country_code(tld: &str) -> bool {
    SPECIAL_SHORT_COUNTRY_CODES.contains(&tld.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tld(text: &str) -> Option<(usize, TldKind)> {
        let chars: Vec<char> = text.chars().collect();
        match_tld(&chars)
    }

    #[test]
    fn every_listed_domain_fits_the_longest_length() {
        for tld in GENERIC.iter().chain(INTERNATIONALISED_COUNTRY_CODES) {
            assert!(tld.chars().count() <= LONGEST_TLD_CHARS, "{tld}");
            assert_eq!(tld.to_lowercase(), *tld);
        }
    }

    #[test]
    fn generic_country_and_internationalised_domains_match_at_a_boundary() {
        assert_eq!(tld("com"), Some((3, TldKind::Generic)));
        assert_eq!(tld("COM/path"), Some((3, TldKind::Generic)));
        assert_eq!(tld("ca"), Some((2, TldKind::CountryCode)));
        assert_eq!(tld("quebec"), Some((6, TldKind::Generic)));
        assert_eq!(tld("پاکستان/"), Some((7, TldKind::CountryCode)));
        assert_eq!(tld("xn--p1ai"), Some((8, TldKind::Generic)));
        // "comx" is no domain: the boundary after "com" is a letter.
        assert_eq!(tld("comx"), None);
        assert_eq!(tld("txt"), None);
        assert_eq!(tld("c"), None);
    }
}
