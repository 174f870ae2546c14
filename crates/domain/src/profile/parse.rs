//! Reading a profile from TOML text: every section is read with the problem collector, so one
//! pass reports every unknown key, missing key, bad value and broken cross-reference.

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;
use jiff::civil::Time;
use moderation::Category;
use toml::de::DeTable;

use super::Profile;
use super::error::{ProblemCode, ProfileErrors};
use super::model::*;
use super::reader::{Collector, Field, Table};
use super::types::*;
use crate::business_time::Budget;
use crate::calendar::{
    CalendarError, HolidayCalendar, HolidayDate, HolidayRule, ObservedHoliday, TimeWindow,
    WEEKDAYS_MONDAY_FIRST, WeekdayId, WeekendShift, WeeklyHours, format_clock, parse_clock,
    parse_weekday_id, weekday_id,
};

/// The time zone used when a profile names none.
pub const DEFAULT_TIME_ZONE: &str = "America/Toronto";

/// Placeholders filled when a reply is sent, not from the profile's contacts.
pub const RUNTIME_PLACEHOLDERS: [&str; 10] = [
    "clause",
    "author",
    "link",
    "directorate.name",
    "directorate.phone",
    "directorate.email",
    "other_organisation.name",
    "other_organisation.mention",
    "other_organisation.contact",
    "case_number",
];

/// Placeholders filled from the profile's identity.
pub const IDENTITY_PLACEHOLDERS: [&str; 3] = [
    "organisation.name",
    "organisation.abbreviation",
    "organisation.website",
];

pub(crate) fn parse(source_name: &str, text: &str) -> Result<Profile, ProfileErrors> {
    let mut c = Collector::new(source_name, text);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            let span = error.span().unwrap_or(0..0);
            let message = error.message().trim().to_owned();
            c.report(
                &span,
                "",
                ProblemCode::TomlSyntax,
                format!("TOML syntax error: {message}"),
                format!("erreur de syntaxe TOML : {message}"),
            );
        }
        return Err(ProfileErrors::new(c.problems));
    }
    let top = Table::new(String::new(), 0..0, root.get_ref());
    let profile = read_profile(&mut c, &top);
    top.finish(&mut c);
    match profile {
        Some(profile) if c.problems.is_empty() => Ok(profile),
        _ => {
            if c.problems.is_empty() {
                // Every `None` above comes with a report; this guards the invariant anyway.
                c.report(
                    &(0..0),
                    "",
                    ProblemCode::BadValue,
                    "profile is incomplete",
                    "profil incomplet",
                );
            }
            Err(ProfileErrors::new(c.problems))
        }
    }
}

fn read_profile(c: &mut Collector<'_>, top: &Table<'_, '_>) -> Option<Profile> {
    let time_zone_name = match top.get("time_zone") {
        Some(field) => field.string(c).and_then(|name| match jiff::tz::TimeZone::get(&name) {
            Ok(_) => Some(name),
            Err(_) => {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::UnknownTimeZone,
                    format!("unknown time zone `{name}` (use an IANA name such as America/Toronto)"),
                    format!("fuseau horaire inconnu « {name} » (nom IANA attendu, p. ex. America/Toronto)"),
                );
                None
            }
        }),
        None => Some(DEFAULT_TIME_ZONE.to_owned()),
    };
    let identity = section(c, top, "identity", true).and_then(|t| read_identity(c, &t));
    let source = section(c, top, "source", true).and_then(|t| read_source(c, &t));
    let accounts = array_of(c, top, "accounts", read_account);
    let business_hours = section(c, top, "business_hours", true).and_then(|t| {
        let hours = read_weekly_hours(c, &t);
        t.get("source");
        t.finish(c);
        hours
    });
    let holidays = match section(c, top, "holidays", false) {
        Some(t) => read_holidays(c, &t),
        None => Some(HolidayCalendar::quebec_public_service()),
    };
    let roles_table = array_of(c, top, "roles", read_role_grant);
    let declared_roles: BTreeSet<Role> = roles_table.iter().map(|(grant, _)| grant.role).collect();
    check_unique(
        c,
        roles_table
            .iter()
            .map(|(grant, field)| (grant.role.id().to_owned(), field)),
        "role",
    );
    let day_length = business_hours
        .as_ref()
        .map(WeeklyHours::business_day_length);
    let commitments = array_of(c, top, "commitments", |c, t| {
        read_commitment(c, t, &declared_roles, day_length)
    });
    check_unique(
        c,
        commitments.iter().map(|(x, f)| (x.id.clone(), f)),
        "commitment",
    );
    let vigilance = section(c, top, "vigilance", false).map(|t| read_vigilance(c, &t));
    let netiquette = match section(c, top, "netiquette", false) {
        Some(t) => read_netiquette(c, &t),
        None => None,
    };
    let moderation_settings = match section(c, top, "moderation", false) {
        Some(t) => read_moderation(c, &t),
        None => None,
    };
    let contacts = array_of(c, top, "contacts", read_contact);
    check_unique(
        c,
        contacts.iter().map(|(x, f)| (x.id.clone(), f)),
        "contact",
    );
    let sectors = array_of(c, top, "sectors", read_sector);
    check_unique(c, sectors.iter().map(|(x, f)| (x.id.clone(), f)), "sector");
    let directorates = array_of(c, top, "regional_directorates", read_directorate);
    check_unique(
        c,
        directorates.iter().map(|(x, f)| (x.id.clone(), f)),
        "regional directorate",
    );
    let externals = array_of(c, top, "external_organisations", read_external);
    check_unique(
        c,
        externals.iter().map(|(x, f)| (x.id.clone(), f)),
        "external organisation",
    );
    let contact_list: Vec<Contact> = contacts.iter().map(|(x, _)| x.clone()).collect();
    let templates = array_of(c, top, "templates", |c, t| {
        read_template(c, t, &contact_list)
    });
    check_unique(
        c,
        templates.iter().map(|(x, f)| {
            let key = match x.kind {
                Some(kind) => format!("{}/{}", x.route, kind),
                None => x.route.id().to_owned(),
            };
            (key, f)
        }),
        "template route",
    );
    let staff = section(c, top, "staff", false).map(|t| read_staff(c, &t));
    let blog = section(c, top, "blog", false).and_then(|t| read_blog(c, &t));
    let role_grants: Vec<RoleGrant> = roles_table.iter().map(|(x, _)| x.clone()).collect();
    let editorial = section(c, top, "editorial", false).map(|t| read_editorial(c, &t, &role_grants));
    let editorial = match editorial {
        Some(Some(rules)) => Some(rules),
        Some(None) => return None,
        None => None,
    };

    let vigilance = match vigilance {
        Some(Some(v)) => Some(v),
        Some(None) => return None,
        None => None,
    };
    let staff = match staff {
        Some(Some(s)) => Some(s),
        Some(None) => return None,
        None => None,
    };
    let netiquette = netiquette.unwrap_or_else(|| Netiquette {
        introduction: None,
        clauses: Vec::new(),
        commitments: Vec::new(),
        source: SourceRef::parse("aucune nétiquette dans le profil")
            .unwrap_or_else(unreachable_source),
    });
    let moderation_settings = moderation_settings.unwrap_or_else(|| ModerationSettings {
        hide_rule: moderation::HideRule::AnyBreach,
        repeat_window_hours: 24,
        repeat_distinct_authors: 3,
        warnings_before_block: 1,
        source: SourceRef::parse("défaut de Balise").unwrap_or_else(unreachable_source),
    });
    let time_zone_name = time_zone_name?;
    let time_zone = jiff::tz::TimeZone::get(&time_zone_name).ok()?;
    Some(Profile {
        identity: identity?,
        source: source?,
        accounts: accounts.into_iter().map(|(x, _)| x).collect(),
        time_zone_name,
        time_zone,
        business_hours: business_hours?,
        holidays: holidays?,
        commitments: commitments.into_iter().map(|(x, _)| x).collect(),
        vigilance,
        netiquette,
        moderation: moderation_settings,
        contacts: contact_list,
        sectors: sectors.into_iter().map(|(x, _)| x).collect(),
        regional_directorates: directorates.into_iter().map(|(x, _)| x).collect(),
        external_organisations: externals.into_iter().map(|(x, _)| x).collect(),
        roles: roles_table.into_iter().map(|(x, _)| x).collect(),
        templates: templates.into_iter().map(|(x, _)| x).collect(),
        staff,
        blog,
        editorial,
    })
}

fn unreachable_source() -> SourceRef {
    // Both literals above are non-empty, so `SourceRef::parse` cannot refuse them.
    SourceRef::parse("?").expect("a non-empty literal is a valid source reference")
}

/// A sub-table of `parent`, reported missing when `required`.
fn section<'t, 'i>(
    c: &mut Collector<'_>,
    parent: &Table<'t, 'i>,
    key: &str,
    required: bool,
) -> Option<Table<'t, 'i>> {
    let field = if required {
        parent.require(c, key)?
    } else {
        parent.get(key)?
    };
    field.table(c)
}

/// Reads an array of tables with `read`, keeping each record with its field for later
/// cross-checks. Each element's unknown keys are reported.
fn array_of<'t, 'i, T>(
    c: &mut Collector<'_>,
    parent: &Table<'t, 'i>,
    key: &str,
    mut read: impl FnMut(&mut Collector<'_>, &Table<'t, 'i>) -> Option<T>,
) -> Vec<(T, Field<'t, 'i>)> {
    let Some(field) = parent.get(key) else {
        return Vec::new();
    };
    let Some(items) = field.array(c) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(table) = item.table(c) else { continue };
        let record = read(c, &table);
        table.finish(c);
        if let Some(record) = record {
            out.push((record, item));
        }
    }
    out
}

fn check_unique<'a, 't: 'a, 'i: 't>(
    c: &mut Collector<'_>,
    items: impl Iterator<Item = (String, &'a Field<'t, 'i>)>,
    what: &str,
) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (id, field) in items {
        if seen.insert(id.clone()) {
            continue;
        }
        // Point at the identifying key of the record when it has one.
        let (span, path) = match field.value {
            toml::de::DeValue::Table(table) => ["id", "role", "route", "year"]
                .iter()
                .find_map(|key| {
                    table
                        .get(*key)
                        .map(|value| (value.span(), format!("{}.{key}", field.path)))
                })
                .unwrap_or_else(|| (field.span.clone(), field.path.clone())),
            _ => (field.span.clone(), field.path.clone()),
        };
        c.report(
            &span,
            &path,
            ProblemCode::DuplicateId,
            format!("duplicate {what} `{id}`"),
            format!("identifiant en double ({what}) : « {id} »"),
        );
    }
}

/// Reads `source`, reporting it when absent: every clause, deadline and contact cites its
/// source section.
fn source_ref(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<SourceRef> {
    match t.get("source") {
        Some(field) => {
            let text = field.string(c)?;
            let parsed = SourceRef::parse(&text);
            if parsed.is_none() {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::MissingSource,
                    "source reference is empty",
                    "référence de source vide",
                );
            }
            parsed
        }
        None => {
            c.report(
                &t.span,
                &t.child_path("source"),
                ProblemCode::MissingSource,
                "missing `source` (the section of the source document, e.g. \"S2 §8.1\")",
                "« source » absente (la section du document source, p. ex. « S2 §8.1 »)",
            );
            None
        }
    }
}

fn optional_source(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<SourceRef> {
    let field = t.get("source")?;
    let text = field.string(c)?;
    SourceRef::parse(&text)
}

/// Parses a value of a closed vocabulary, reporting unknown ones with the list of ids.
fn vocabulary<T>(
    c: &mut Collector<'_>,
    field: &Field<'_, '_>,
    parse: impl Fn(&str) -> Option<T>,
    ids: &str,
    what: &str,
    code: ProblemCode,
) -> Option<T> {
    let text = field.string(c)?;
    let parsed = parse(&text);
    if parsed.is_none() {
        c.report(
            &field.span,
            &field.path,
            code,
            format!("unknown {what} `{text}` (expected one of: {ids})"),
            format!("{what} inconnu : « {text} » (valeurs permises : {ids})"),
        );
    }
    parsed
}

fn required_vocabulary<T>(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    ids: &str,
    code: ProblemCode,
) -> Option<T> {
    let field = t.require(c, key)?;
    vocabulary(c, &field, parse, ids, key, code)
}

fn phone(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str) -> Option<Option<PhoneNumber>> {
    let Some(field) = t.get(key) else {
        return Some(None);
    };
    let text = field.string(c)?;
    match PhoneNumber::parse(&text) {
        Some(number) => Some(Some(number)),
        None => {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadPhone,
                format!("`{text}` is not a phone number (10 digits, or 11 starting with 1)"),
                format!("« {text} » n'est pas un numéro de téléphone (10 chiffres, ou 11 commençant par 1)"),
            );
            None
        }
    }
}

fn email(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str) -> Option<Option<Email>> {
    let Some(field) = t.get(key) else {
        return Some(None);
    };
    let text = field.string(c)?;
    match Email::parse(&text) {
        Some(address) => Some(Some(address)),
        None => {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadEmail,
                format!("`{text}` is not an e-mail address"),
                format!("« {text} » n'est pas une adresse courriel"),
            );
            None
        }
    }
}

fn web_address(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str) -> Option<Option<WebAddress>> {
    let Some(field) = t.get(key) else {
        return Some(None);
    };
    let text = field.string(c)?;
    match WebAddress::parse(&text) {
        Some(address) => Some(Some(address)),
        None => {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadUrl,
                format!("`{text}` is not an http(s) address"),
                format!("« {text} » n'est pas une adresse web http(s)"),
            );
            None
        }
    }
}

fn string_list(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str) -> Vec<String> {
    t.get(key)
        .map(|field| field.strings(c).into_iter().map(|(text, _)| text).collect())
        .unwrap_or_default()
}

fn optional_bool(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str, default: bool) -> bool {
    t.get(key)
        .and_then(|field| field.boolean(c))
        .unwrap_or(default)
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_')
}

/// A required id: lowercase letters, digits, `-` and `_`.
fn slug(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str) -> Option<String> {
    let field = t.require(c, key)?;
    let text = field.string(c)?;
    if is_slug(&text) {
        Some(text)
    } else {
        c.report(
            &field.span,
            &field.path,
            ProblemCode::BadValue,
            format!("`{text}` is not an id (lowercase letters, digits, - and _)"),
            format!("« {text} » n'est pas un identifiant (minuscules, chiffres, - et _)"),
        );
        None
    }
}

fn read_identity(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<Identity> {
    let id = slug(c, t, "id");
    let name = t.required_string(c, "name");
    let abbreviation = t.required_string(c, "abbreviation");
    let kind = required_vocabulary(
        c,
        t,
        "kind",
        OrganisationKind::parse,
        &OrganisationKind::ids(),
        ProblemCode::BadValue,
    );
    let languages = match t.require(c, "languages") {
        Some(field) => {
            let languages: Vec<String> = field
                .strings(c)
                .into_iter()
                .filter_map(|(code, item)| {
                    let ok = (2..=3).contains(&code.len())
                        && code.chars().all(|ch| ch.is_ascii_lowercase());
                    if !ok {
                        c.report(
                            &item.span,
                            &item.path,
                            ProblemCode::BadValue,
                            format!("`{code}` is not a language code such as \"fr\""),
                            format!("« {code} » n'est pas un code de langue comme « fr »"),
                        );
                    }
                    ok.then_some(code)
                })
                .collect();
            if languages.is_empty() {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::BadValue,
                    "at least one language is needed",
                    "au moins une langue est requise",
                );
            }
            Some(languages)
        }
        None => None,
    };
    let website = web_address(c, t, "website");
    let mut phones = Vec::new();
    if let Some(field) = t.get("public_phone_numbers") {
        for (text, item) in field.strings(c) {
            match PhoneNumber::parse(&text) {
                Some(number) => phones.push(number),
                None => c.report(
                    &item.span,
                    &item.path,
                    ProblemCode::BadPhone,
                    format!("`{text}` is not a phone number (10 digits, or 11 starting with 1)"),
                    format!("« {text} » n'est pas un numéro de téléphone (10 chiffres, ou 11 commençant par 1)"),
                ),
            }
        }
    }
    t.finish(c);
    Some(Identity {
        id: id?,
        name: name?,
        abbreviation: abbreviation?,
        kind: kind?,
        languages: languages?,
        website: website?,
        public_phone_numbers: phones,
    })
}

fn read_source(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<SourceDocument> {
    let code = t.required_string(c, "code");
    let title = t.required_string(c, "title");
    let year = match t.get("year") {
        Some(field) => Some(field.integer_in(c, 1900..=2200)),
        None => Some(None),
    };
    let sections = string_list(c, t, "sections");
    t.finish(c);
    Some(SourceDocument {
        code: code?,
        title: title?,
        year: year?,
        sections,
    })
}

fn read_account(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<Account> {
    let network = required_vocabulary(
        c,
        t,
        "network",
        Network::parse,
        &Network::ids(),
        ProblemCode::BadValue,
    );
    let handle = t.optional_string(c, "handle");
    let url = web_address(c, t, "url");
    let official = t.require(c, "official").and_then(|field| field.boolean(c));
    let source = source_ref(c, t);
    Some(Account {
        network: network?,
        handle,
        url: url?,
        official: official?,
        source: source?,
    })
}

fn read_window(c: &mut Collector<'_>, item: &Field<'_, '_>) -> Option<TimeWindow> {
    let t = item.table(c)?;
    let mut clock = |key: &str| -> Option<Time> {
        let field = t.require(c, key)?;
        let text = field.string(c)?;
        let time = parse_clock(&text);
        if time.is_none() {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadTime,
                format!("`{text}` is not a time of day (write HH:MM, e.g. \"08:30\", or 8h30)"),
                format!("« {text} » n'est pas une heure (écrire HH:MM, p. ex. « 08:30 », ou 8h30)"),
            );
        }
        time
    };
    let start = clock("start");
    let end = clock("end");
    t.finish(c);
    let (start, end) = (start?, end?);
    match TimeWindow::new(start, end) {
        Ok(window) => Some(window),
        Err(_) => {
            c.report(
                &item.span,
                &item.path,
                ProblemCode::EmptyWindow,
                format!(
                    "window starts at {} but does not end after it ({})",
                    format_clock(start),
                    format_clock(end)
                ),
                format!(
                    "la plage commence à {} mais ne se termine pas après ({})",
                    format_clock(start),
                    format_clock(end)
                ),
            );
            None
        }
    }
}

/// Reads a list of windows and reports overlaps at the later window.
fn read_windows(c: &mut Collector<'_>, field: &Field<'_, '_>) -> Option<Vec<TimeWindow>> {
    let items = field.array(c)?;
    let mut windows: Vec<(TimeWindow, Field<'_, '_>)> = Vec::new();
    let mut all_ok = true;
    for item in items {
        match read_window(c, &item) {
            Some(window) => windows.push((window, item)),
            None => all_ok = false,
        }
    }
    let mut sorted: Vec<&(TimeWindow, Field<'_, '_>)> = windows.iter().collect();
    sorted.sort_by_key(|(window, _)| *window);
    for pair in sorted.windows(2) {
        let (first, _) = pair[0];
        let (second, second_field) = pair[1];
        if second.start() < first.end() {
            all_ok = false;
            c.report(
                &second_field.span,
                &second_field.path,
                ProblemCode::OverlappingWindows,
                format!("window {second} overlaps window {first}"),
                format!("la plage {second} chevauche la plage {first}"),
            );
        }
    }
    all_ok.then(|| windows.into_iter().map(|(window, _)| window).collect())
}

fn read_weekly_hours(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<WeeklyHours> {
    let mut days: [Vec<TimeWindow>; 7] = Default::default();
    let mut all_ok = true;
    for (index, day) in WEEKDAYS_MONDAY_FIRST.into_iter().enumerate() {
        if let Some(field) = t.get(weekday_id(day)) {
            match read_windows(c, &field) {
                Some(windows) => days[index] = windows,
                None => all_ok = false,
            }
        }
    }
    if !all_ok {
        return None;
    }
    match WeeklyHours::new(days) {
        Ok(hours) if hours.weekly_open_time() > SignedDuration::ZERO => Some(hours),
        Ok(_) => {
            c.report(
                &t.span,
                &t.path,
                ProblemCode::BadValue,
                "business hours have no window on any day",
                "les heures de bureau n'ont aucune plage",
            );
            None
        }
        Err(error) => {
            c.report(
                &t.span,
                &t.path,
                ProblemCode::OverlappingWindows,
                error.to_string(),
                error.to_string(),
            );
            None
        }
    }
}

fn weekday_field(c: &mut Collector<'_>, t: &Table<'_, '_>, key: &str) -> Option<WeekdayId> {
    let field = t.require(c, key)?;
    vocabulary(
        c,
        &field,
        parse_weekday_id,
        "monday, tuesday, wednesday, thursday, friday, saturday, sunday",
        "weekday",
        ProblemCode::BadValue,
    )
    .map(WeekdayId)
}

fn small_int(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    t.require(c, key)?.integer_in(c, range)
}

fn read_holiday_rule(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    default_shift: WeekendShift,
) -> Option<HolidayRule> {
    let name = t.required_string(c, "name");
    let kind_field = t.require(c, "kind");
    let kinds = "fixed, easter, nth_weekday, weekday_before";
    let kind = kind_field.as_ref().and_then(|field| {
        vocabulary(
            c,
            field,
            |s| {
                ["fixed", "easter", "nth_weekday", "weekday_before"]
                    .contains(&s)
                    .then(|| s.to_owned())
            },
            kinds,
            "holiday kind",
            ProblemCode::BadHolidayRule,
        )
    });
    let as_i8 = |value: i64| i8::try_from(value).ok();
    let date = match kind.as_deref() {
        Some("fixed") => {
            let month = small_int(c, t, "month", 1..=12).and_then(as_i8);
            let day = small_int(c, t, "day", 1..=31).and_then(as_i8);
            Some(HolidayDate::Fixed {
                month: month?,
                day: day?,
            })
        }
        Some("easter") => {
            let days = t
                .require(c, "offset")
                .and_then(|field| field.integer_in(c, -200..=200));
            Some(HolidayDate::EasterOffset {
                days: i16::try_from(days?).ok()?,
            })
        }
        Some("nth_weekday") => {
            let month = small_int(c, t, "month", 1..=12).and_then(as_i8);
            let weekday = weekday_field(c, t, "weekday");
            let nth = small_int(c, t, "nth", -5..=5).and_then(as_i8);
            Some(HolidayDate::NthWeekday {
                month: month?,
                weekday: weekday?,
                nth: nth?,
            })
        }
        Some("weekday_before") => {
            let month = small_int(c, t, "month", 1..=12).and_then(as_i8);
            let day = small_int(c, t, "day", 1..=31).and_then(as_i8);
            let weekday = weekday_field(c, t, "weekday");
            Some(HolidayDate::WeekdayBefore {
                month: month?,
                day: day?,
                weekday: weekday?,
            })
        }
        _ => None,
    };
    let on_weekend = match t.get("on_weekend") {
        Some(field) => vocabulary(
            c,
            &field,
            WeekendShift::parse,
            "stay, preceding_weekday, following_weekday",
            "weekend shift",
            ProblemCode::BadValue,
        ),
        None => Some(default_shift),
    };
    let source = optional_source(c, t);
    let (name, date, on_weekend) = (name?, date?, on_weekend?);
    match HolidayRule::new(
        name,
        date,
        on_weekend,
        source.map(|s| s.as_str().to_owned()),
    ) {
        Ok(rule) => Some(rule),
        Err(error) => {
            let (en, fr) = match &error {
                CalendarError::NoSuchDay { month, day } => (
                    format!("no such day: month {month}, day {day}"),
                    format!("ce jour n'existe pas : mois {month}, jour {day}"),
                ),
                other => (other.to_string(), other.to_string()),
            };
            c.report(&t.span, &t.path, ProblemCode::BadHolidayRule, en, fr);
            None
        }
    }
}

fn read_holidays(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<HolidayCalendar> {
    let default_shift = match t.get("on_weekend") {
        Some(field) => vocabulary(
            c,
            &field,
            WeekendShift::parse,
            "stay, preceding_weekday, following_weekday",
            "weekend shift",
            ProblemCode::BadValue,
        )
        .unwrap_or(WeekendShift::FollowingWeekday),
        None => WeekendShift::FollowingWeekday,
    };
    let mut rules = match t.get("base") {
        Some(field) => vocabulary(
            c,
            &field,
            |s| match s {
                "quebec_public_service" => {
                    Some(HolidayCalendar::quebec_public_service().rules().to_vec())
                }
                "none" => Some(Vec::new()),
                _ => None,
            },
            "quebec_public_service, none",
            "holiday base",
            ProblemCode::BadValue,
        )
        .unwrap_or_default(),
        None => Vec::new(),
    };
    t.get("source");
    let before = c.problems.len();
    for (rule, _) in array_of(c, t, "rules", |c, rt| {
        read_holiday_rule(c, rt, default_shift)
    }) {
        rules.push(rule);
    }
    let mut overrides: BTreeMap<i16, Vec<ObservedHoliday>> = BTreeMap::new();
    let override_tables = array_of(c, t, "overrides", |c, ot| {
        let year = ot
            .require(c, "year")
            .and_then(|field| field.integer_in(c, 1900..=2200));
        let mut list = Vec::new();
        if let Some(field) = ot.require(c, "holidays") {
            for item in field.array(c).unwrap_or_default() {
                let Some(ht) = item.table(c) else { continue };
                let date = ht.require(c, "date").and_then(|field| field.date(c));
                let name = ht.required_string(c, "name");
                ht.finish(c);
                if let (Some(date), Some(name)) = (date, name) {
                    list.push(ObservedHoliday { date, name });
                }
            }
        }
        let _ = source_ref(c, ot);
        Some((i16::try_from(year?).ok()?, list))
    });
    check_unique(
        c,
        override_tables
            .iter()
            .map(|((year, _), f)| (year.to_string(), f)),
        "override year",
    );
    for ((year, list), _) in override_tables {
        overrides.insert(year, list);
    }
    t.finish(c);
    (c.problems.len() == before).then(|| HolidayCalendar::new(rules, overrides))
}

fn read_role_grant(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<RoleGrant> {
    let role = required_vocabulary(
        c,
        t,
        "role",
        Role::parse,
        &Role::ids(),
        ProblemCode::UnknownRole,
    );
    let label = t.required_string(c, "label");
    let mut permissions = Vec::new();
    let mut permissions_ok = true;
    if let Some(field) = t.require(c, "permissions") {
        for (text, item) in field.strings(c) {
            match Permission::parse(&text) {
                Some(permission) => permissions.push(permission),
                None => {
                    permissions_ok = false;
                    c.report(
                        &item.span,
                        &item.path,
                        ProblemCode::UnknownPermission,
                        format!(
                            "unknown permission `{text}` (expected one of: {})",
                            Permission::ids()
                        ),
                        format!(
                            "permission inconnue « {text} » (valeurs permises : {})",
                            Permission::ids()
                        ),
                    );
                }
            }
        }
        if role == Some(Role::Director)
            && let Some(write) = permissions.iter().find(|p| !p.id().starts_with("read_"))
        {
            permissions_ok = false;
            c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::BadValue,
                    format!("the director role is read-only; `{write}` is not a read permission"),
                    format!("le rôle de direction est en lecture seule; « {write} » n'est pas une permission de lecture"),
                );
        }
    } else {
        permissions_ok = false;
    }
    let responsibilities = string_list(c, t, "responsibilities");
    let source = source_ref(c, t);
    if !permissions_ok {
        return None;
    }
    Some(RoleGrant {
        role: role?,
        label: label?,
        permissions,
        responsibilities,
        source: source?,
    })
}

fn budget<'t, 'i>(
    c: &mut Collector<'_>,
    t: &Table<'t, 'i>,
    key: &str,
) -> Option<(Budget, Field<'t, 'i>)> {
    let field = t.require(c, key)?;
    let text = field.string(c)?;
    match parse_budget(&text) {
        Some(budget) => Some((budget, field)),
        None => {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadBudget,
                format!("`{text}` is not a budget (business time \"1h30\", clock time \"24h clock\", or \"2 business days\")"),
                format!("« {text} » n'est pas un délai (temps ouvrable « 1h30 », temps réel « 24h clock » ou « 2 business days »)"),
            );
            None
        }
    }
}

/// The budget in business time, given the length of a business day; `None` for clock time.
fn in_business_time(budget: &Budget, day_length: SignedDuration) -> Option<SignedDuration> {
    match budget {
        Budget::Business(duration) => Some(*duration),
        Budget::BusinessDays(days) => Some(day_length * i32::try_from(*days).unwrap_or(i32::MAX)),
        Budget::Clock(_) => None,
    }
}

fn read_commitment(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    declared_roles: &BTreeSet<Role>,
    day_length: Option<SignedDuration>,
) -> Option<Commitment> {
    let id = slug(c, t, "id");
    let label = t.required_string(c, "label");
    let total = budget(c, t, "total");
    let source = source_ref(c, t);
    let stage_fields = array_of(c, t, "stages", |c, st| {
        let id = slug(c, st, "id");
        let label = st.required_string(c, "label");
        let budget = budget(c, st, "budget");
        let carrier = st.require(c, "carrier").and_then(|field| {
            let role = vocabulary(
                c,
                &field,
                Role::parse,
                &Role::ids(),
                "role",
                ProblemCode::UnknownRole,
            )?;
            if !declared_roles.is_empty() && !declared_roles.contains(&role) {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::UnknownRole,
                    format!("role `{role}` carries this stage but is not declared in [[roles]]"),
                    format!(
                        "le rôle « {role} » porte cette étape mais n'est pas déclaré dans [[roles]]"
                    ),
                );
                return None;
            }
            Some(role)
        });
        let source = source_ref(c, st);
        let (budget, budget_field) = budget?;
        Some((
            Stage {
                id: id?,
                label: label?,
                budget,
                carrier: carrier?,
                source: source?,
            },
            budget_field,
        ))
    });
    check_unique(
        c,
        stage_fields
            .iter()
            .map(|((stage, _), f)| (stage.id.clone(), f)),
        "stage",
    );
    let (total, total_field) = total?;
    // Stages must fit the total, compared in one currency: business time (business days at
    // the profile's day length) or clock time, never a mix.
    let mut sum = SignedDuration::ZERO;
    let mut fits_checkable = true;
    for ((stage, budget_field), _) in &stage_fields {
        let comparable = match (&total, &stage.budget) {
            (Budget::Clock(_), Budget::Clock(duration)) => Some(*duration),
            (Budget::Clock(_), _) | (_, Budget::Clock(_)) => None,
            (_, budget) => day_length.and_then(|length| in_business_time(budget, length)),
        };
        match comparable {
            Some(duration) => sum += duration,
            None => {
                fits_checkable = false;
                if day_length.is_some() || matches!(total, Budget::Clock(_)) {
                    c.report(
                        &budget_field.span,
                        &budget_field.path,
                        ProblemCode::BudgetKindsMismatch,
                        format!("stage budget {} cannot be compared with the total {} (clock time and business time do not mix)", format_budget(&stage.budget), format_budget(&total)),
                        format!("le délai d'étape {} ne se compare pas au total {} (temps réel et temps ouvrable ne se mélangent pas)", format_budget(&stage.budget), format_budget(&total)),
                    );
                }
            }
        }
    }
    let total_duration = match total {
        Budget::Clock(duration) => Some(duration),
        ref other => day_length.and_then(|length| in_business_time(other, length)),
    };
    if fits_checkable
        && !stage_fields.is_empty()
        && let Some(total_duration) = total_duration
        && sum > total_duration
    {
        c.report(
            &total_field.span,
            &total_field.path,
            ProblemCode::BudgetDoesNotFit,
            format!(
                "stage budgets add up to {} but the commitment total is {} ({})",
                format_duration(sum),
                format_budget(&total),
                format_duration(total_duration)
            ),
            format!(
                "les délais des étapes totalisent {} mais l'engagement est de {} ({})",
                format_duration(sum),
                format_budget(&total),
                format_duration(total_duration)
            ),
        );
        return None;
    }
    Some(Commitment {
        id: id?,
        label: label?,
        total,
        stages: stage_fields
            .into_iter()
            .map(|((stage, _), _)| stage)
            .collect(),
        source: source?,
    })
}

fn read_vigilance(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<Vigilance> {
    let label = t.required_string(c, "label");
    let mut days = Vec::new();
    if let Some(field) = t.require(c, "days") {
        for (text, item) in field.strings(c) {
            match parse_weekday_id(&text) {
                Some(day) => days.push(WeekdayId(day)),
                None => c.report(
                    &item.span,
                    &item.path,
                    ProblemCode::BadValue,
                    format!("unknown weekday `{text}`"),
                    format!("jour inconnu « {text} »"),
                ),
            }
        }
    }
    let windows = t
        .require(c, "windows")
        .and_then(|field| read_windows(c, &field));
    let includes_holidays = optional_bool(c, t, "includes_holidays", true);
    let triggers = string_list(c, t, "triggers");
    let source = source_ref(c, t);
    t.finish(c);
    Some(Vigilance {
        label: label?,
        days,
        windows: windows?,
        includes_holidays,
        triggers,
        source: source?,
    })
}

fn read_netiquette(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<Netiquette> {
    let introduction = t.optional_string(c, "introduction");
    let commitments = string_list(c, t, "commitments");
    let source = source_ref(c, t);
    let clauses = array_of(c, t, "clauses", |c, ct| {
        let id = slug(c, ct, "id");
        let category = ct.require(c, "category").and_then(|field| {
            vocabulary(
                c,
                &field,
                |s| s.parse::<Category>().ok(),
                &Category::ALL
                    .iter()
                    .map(|cat| cat.id())
                    .collect::<Vec<_>>()
                    .join(", "),
                "category",
                ProblemCode::UnknownCategory,
            )
        });
        let wording = ct.required_string(c, "wording");
        let source = source_ref(c, ct);
        Some(Clause {
            id: id?,
            category: category?,
            wording: wording?,
            source: source?,
        })
    });
    check_unique(
        c,
        clauses.iter().map(|(x, f)| (x.id.clone(), f)),
        "clause id",
    );
    t.finish(c);
    Some(Netiquette {
        introduction,
        clauses: clauses.into_iter().map(|(x, _)| x).collect(),
        commitments,
        source: source?,
    })
}

fn read_moderation(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<ModerationSettings> {
    let hide_rule = required_vocabulary(
        c,
        t,
        "hide_rule",
        |s| match s {
            "any_breach" => Some(moderation::HideRule::AnyBreach),
            "only_when_nothing_remains" => Some(moderation::HideRule::OnlyWhenNothingRemains),
            _ => None,
        },
        "any_breach, only_when_nothing_remains",
        ProblemCode::BadValue,
    );
    let window = t
        .require(c, "repeat_window_hours")
        .and_then(|field| field.integer_in(c, 1..=24 * 365));
    let authors = match t.get("repeat_distinct_authors") {
        Some(field) => field
            .integer_in(c, 2..=1000)
            .and_then(|n| usize::try_from(n).ok()),
        None => Some(3),
    };
    let warnings = t
        .require(c, "warnings_before_block")
        .and_then(|field| field.integer_in(c, 0..=100))
        .and_then(|n| u32::try_from(n).ok());
    let source = source_ref(c, t);
    t.finish(c);
    Some(ModerationSettings {
        hide_rule: hide_rule?,
        repeat_window_hours: window?,
        repeat_distinct_authors: authors?,
        warnings_before_block: warnings?,
        source: source?,
    })
}

fn read_contact(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<Contact> {
    let id = slug(c, t, "id");
    let kind = required_vocabulary(
        c,
        t,
        "kind",
        ContactKind::parse,
        &ContactKind::ids(),
        ProblemCode::BadValue,
    );
    let label = t.required_string(c, "label");
    let organisation = t.optional_string(c, "organisation");
    let phone = phone(c, t, "phone");
    let email = email(c, t, "email");
    let url = web_address(c, t, "url");
    let note = t.optional_string(c, "note");
    let source = source_ref(c, t);
    let (phone, email, url) = (phone?, email?, url?);
    if phone.is_none() && email.is_none() && url.is_none() {
        c.report(
            &t.span,
            &t.path,
            ProblemCode::MissingKey,
            "a contact needs at least one of `phone`, `email` or `url`",
            "un contact doit avoir au moins un « phone », un « email » ou une « url »",
        );
        return None;
    }
    Some(Contact {
        id: id?,
        kind: kind?,
        label: label?,
        organisation,
        phone,
        email,
        url,
        note,
        source: source?,
    })
}

fn read_sector(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<Sector> {
    let id = slug(c, t, "id");
    let name = t.required_string(c, "name");
    let source = optional_source(c, t);
    Some(Sector {
        id: id?,
        name: name?,
        source,
    })
}

fn read_directorate(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<RegionalDirectorate> {
    let id = slug(c, t, "id");
    let name = t.required_string(c, "name");
    let region = t.required_string(c, "region");
    let phone = phone(c, t, "phone");
    let email = email(c, t, "email");
    let demo = optional_bool(c, t, "demo", false);
    let source = source_ref(c, t);
    Some(RegionalDirectorate {
        id: id?,
        name: name?,
        region: region?,
        phone: phone?,
        email: email?,
        demo,
        source: source?,
    })
}

fn read_external(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<ExternalOrganisation> {
    let id = slug(c, t, "id");
    let name = t.required_string(c, "name");
    let handle = t.optional_string(c, "handle");
    let url = web_address(c, t, "url");
    let phone = phone(c, t, "phone");
    let email = email(c, t, "email");
    let source = optional_source(c, t);
    Some(ExternalOrganisation {
        id: id?,
        name: name?,
        handle,
        url: url?,
        phone: phone?,
        email: email?,
        source,
    })
}

/// The `{...}` placeholders of a template text.
pub(crate) fn placeholders(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        found.push((offset + open, &after[..close]));
        offset += open + 1 + close + 1;
        rest = &after[close + 1..];
    }
    found
}

/// Whether a contact has the field a placeholder names.
pub(crate) fn contact_field<'a>(contact: &'a Contact, field: &str) -> Option<&'a str> {
    match field {
        "phone" => contact.phone.as_ref().map(PhoneNumber::as_str),
        "email" => contact.email.as_ref().map(Email::as_str),
        "url" => contact.url.as_ref().map(WebAddress::as_str),
        "label" => Some(contact.label.as_str()),
        "organisation" => contact.organisation.as_deref(),
        _ => None,
    }
}

fn read_template(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    contacts: &[Contact],
) -> Option<ReplyTemplate> {
    let route = required_vocabulary(
        c,
        t,
        "route",
        RouteId::parse,
        &RouteId::ids(),
        ProblemCode::UnknownRoute,
    );
    let kind = match t.get("kind") {
        Some(field) => {
            let kind = vocabulary(
                c,
                &field,
                UsualProcessKind::parse,
                &UsualProcessKind::ids(),
                "usual process kind",
                ProblemCode::BadValue,
            );
            if kind.is_some() && route.is_some() && route != Some(RouteId::UsualProcess) {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::BadValue,
                    "`kind` is only for route usual_process",
                    "« kind » ne s'emploie qu'avec la route usual_process",
                );
                return None;
            }
            Some(kind?)
        }
        None => None,
    };
    let text_field = t.require(c, "text");
    let text = t.required_string(c, "text");
    let source = source_ref(c, t);
    if let (Some(text), Some(field)) = (&text, &text_field) {
        for (_, name) in placeholders(text) {
            let known = RUNTIME_PLACEHOLDERS.contains(&name)
                || IDENTITY_PLACEHOLDERS.contains(&name)
                || name.split_once('.').is_some_and(|(id, part)| {
                    contacts
                        .iter()
                        .any(|contact| contact.id == id && contact_field(contact, part).is_some())
                });
            if !known {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::UnknownPlaceholder,
                    format!("unknown placeholder `{{{name}}}` (use {{contact_id.phone|email|url|label}}, {{organisation.name}} or one of: {})", RUNTIME_PLACEHOLDERS.join(", ")),
                    format!("espace réservé inconnu « {{{name}}} »"),
                );
                return None;
            }
        }
    }
    Some(ReplyTemplate {
        route: route?,
        kind,
        text: text?,
        source: source?,
    })
}

fn read_staff(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<StaffObligations> {
    let before = c.problems.len();
    let consent_form = section(c, t, "consent_form", false).and_then(|ft| {
        let title = ft.required_string(c, "title");
        let return_to = ft.optional_string(c, "return_to");
        let source = source_ref(c, &ft);
        let fields = array_of(c, &ft, "fields", |c, fld| {
            let id = slug(c, fld, "id");
            let label = fld.required_string(c, "label");
            let kind = required_vocabulary(
                c,
                fld,
                "kind",
                |s| {
                    ConsentFieldKind::IDS
                        .iter()
                        .find(|(id, _)| *id == s)
                        .map(|(_, kind)| *kind)
                },
                "yes_no, text, date_dd_mm_yyyy, signature",
                ProblemCode::BadValue,
            );
            Some(ConsentField {
                id: id?,
                label: label?,
                kind: kind?,
            })
        });
        check_unique(
            c,
            fields.iter().map(|(x, f)| (x.id.clone(), f)),
            "consent field",
        );
        ft.finish(c);
        Some(ConsentForm {
            title: title?,
            return_to,
            fields: fields.into_iter().map(|(x, _)| x).collect(),
            source: source?,
        })
    });
    let sanctions = array_of(c, t, "sanctions", |c, st| {
        let id = slug(c, st, "id");
        let label = st.required_string(c, "label");
        let source = source_ref(c, st);
        Some(Sanction {
            id: id?,
            label: label?,
            source: source?,
        })
    });
    check_unique(
        c,
        sanctions.iter().map(|(x, f)| (x.id.clone(), f)),
        "sanction",
    );
    let authorisations = array_of(c, t, "authorisations", |c, at| {
        let id = slug(c, at, "id");
        let label = at.required_string(c, "label");
        let granted_by = at.required_string(c, "granted_by");
        let source = source_ref(c, at);
        Some(Authorisation {
            id: id?,
            label: label?,
            granted_by: granted_by?,
            source: source?,
        })
    });
    check_unique(
        c,
        authorisations.iter().map(|(x, f)| (x.id.clone(), f)),
        "authorisation",
    );
    let obligations = array_of(c, t, "obligations", |c, ot| {
        let id = slug(c, ot, "id");
        let text = ot.required_string(c, "text");
        let source = source_ref(c, ot);
        Some(Obligation {
            id: id?,
            text: text?,
            source: source?,
        })
    });
    check_unique(
        c,
        obligations.iter().map(|(x, f)| (x.id.clone(), f)),
        "obligation",
    );
    t.finish(c);
    (c.problems.len() == before).then(|| StaffObligations {
        consent_form,
        sanctions: sanctions.into_iter().map(|(x, _)| x).collect(),
        authorisations: authorisations.into_iter().map(|(x, _)| x).collect(),
        obligations: obligations.into_iter().map(|(x, _)| x).collect(),
    })
}

fn read_blog(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<BlogRules> {
    let committee = t
        .require(c, "editorial_committee")
        .and_then(|field| field.boolean(c));
    let count = |c: &mut Collector<'_>, key: &str| -> Option<u32> {
        t.require(c, key)?
            .integer_in(c, 1..=100_000)
            .and_then(|n| u32::try_from(n).ok())
    };
    let min_words = count(c, "min_words");
    let max_words = count(c, "max_words");
    let every = count(c, "update_every_days");
    let filtered = t
        .require(c, "comments_filtered_before_publication")
        .and_then(|field| field.boolean(c));
    let responsible = t.required_string(c, "responsible");
    let announce = optional_bool(c, t, "announce_inactivity", true);
    let source = source_ref(c, t);
    t.finish(c);
    let (min_words, max_words) = (min_words?, max_words?);
    if min_words > max_words {
        if let Some(field) = t.get("max_words") {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadValue,
                format!("max_words {max_words} is below min_words {min_words}"),
                format!("max_words {max_words} est inférieur à min_words {min_words}"),
            );
        }
        return None;
    }
    Some(BlogRules {
        editorial_committee: committee?,
        min_words,
        max_words,
        update_every_days: every?,
        comments_filtered_before_publication: filtered?,
        responsible: responsible?,
        announce_inactivity: announce,
        source: source?,
    })
}

fn read_chain_step(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    grants: &[RoleGrant],
) -> Option<ChainStep> {
    let before = c.problems.len();
    let id = slug(c, t, "id");
    let kind = required_vocabulary(c, t, "kind", StepKind::parse, &StepKind::ids(), ProblemCode::BadValue);
    let label = t.required_string(c, "label");
    let read_roles = |c: &mut Collector<'_>, key: &str, required: bool| -> Vec<Role> {
        let field = if required { t.require(c, key) } else { t.get(key) };
        let Some(field) = field else { return Vec::new() };
        let mut roles = Vec::new();
        for (text, item) in field.strings(c) {
            match Role::parse(&text) {
                Some(role) if grants.iter().any(|grant| grant.role == role) => {
                    if key == "carriers"
                        && let Some(kind) = kind
                        && !grants.iter().any(|g| g.role == role && g.permissions.contains(&kind.permission()))
                    {
                        c.report(
                            &item.span,
                            &item.path,
                            ProblemCode::RoleLacksPermission,
                            format!("role `{role}` carries a {kind} step but lacks the `{}` permission in [[roles]]", kind.permission()),
                            format!("le rôle « {role} » porte une étape « {kind} » sans la permission « {} » dans [[roles]]", kind.permission()),
                        );
                    }
                    roles.push(role);
                }
                Some(role) => c.report(
                    &item.span,
                    &item.path,
                    ProblemCode::UnknownRole,
                    format!("role `{role}` is not declared in [[roles]]"),
                    format!("le rôle « {role} » n'est pas déclaré dans [[roles]]"),
                ),
                None => c.report(
                    &item.span,
                    &item.path,
                    ProblemCode::UnknownRole,
                    format!("unknown role `{text}` (expected one of: {})", Role::ids()),
                    format!("rôle inconnu « {text} » (valeurs permises : {})", Role::ids()),
                ),
            }
        }
        if required && roles.is_empty() && c.problems.len() == before {
            c.report(
                &field.span,
                &field.path,
                ProblemCode::BadValue,
                "a step needs at least one carrier",
                "une étape doit avoir au moins un porteur",
            );
        }
        roles
    };
    let carriers = read_roles(c, "carriers", true);
    let collaborators = read_roles(c, "collaborators", false);
    let external_validator = t.optional_string(c, "external_validator");
    let skipped = optional_bool(c, t, "skipped_when_already_validated", false);
    let source = source_ref(c, t);
    (c.problems.len() == before).then_some(ChainStep {
        id: id?,
        kind: kind?,
        label: label?,
        carriers,
        collaborators,
        external_validator,
        skipped_when_already_validated: skipped,
        source: source?,
    })
}

fn read_chain(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    grants: &[RoleGrant],
) -> Option<ApprovalChainDefinition> {
    let before = c.problems.len();
    let content_type = required_vocabulary(
        c,
        t,
        "content_type",
        ContentType::parse,
        &ContentType::ids(),
        ProblemCode::BadValue,
    );
    let label = t.required_string(c, "label");
    let note = t.optional_string(c, "note");
    let source = source_ref(c, t);
    let before_steps = c.problems.len();
    let steps = array_of(c, t, "steps", |c, t| read_chain_step(c, t, grants));
    check_unique(c, steps.iter().map(|(x, f)| (x.id.clone(), f)), "step");
    if c.problems.len() > before_steps {
        // A step was refused: its neighbours' order would be judged on a partial list.
        return None;
    }
    // Steps follow Annexe 4's order (several of one kind may follow each other), and the
    // chain ends with the publication, which only the communications team does.
    for pair in steps.windows(2) {
        let ((previous, _), (step, field)) = (&pair[0], &pair[1]);
        if step.kind < previous.kind || step.kind == StepKind::Suggestion && previous.kind == StepKind::Suggestion {
            let (span, path) = step_kind_location(field);
            c.report(
                &span,
                &path,
                ProblemCode::StepOutOfOrder,
                format!("step `{}` ({}) comes after `{}` ({}): steps go suggestion, drafting, approval, validation, publication", step.id, step.kind, previous.id, previous.kind),
                format!("l'étape « {} » ({}) suit « {} » ({}) : l'ordre est suggestion, rédaction, approbation, validation, diffusion", step.id, step.kind, previous.id, previous.kind),
            );
        }
    }
    match steps.last() {
        Some((last, _)) if last.kind == StepKind::Publication => {}
        Some((_, field)) => {
            let (span, path) = step_kind_location(field);
            c.report(
                &span,
                &path,
                ProblemCode::StepOutOfOrder,
                "the last step of a chain must be a publication step",
                "la dernière étape d'une chaîne doit être la diffusion",
            );
        }
        None => {
            c.report(
                &t.span,
                &t.child_path("steps"),
                ProblemCode::MissingKey,
                "a chain needs [[...steps]], ending with a publication step",
                "une chaîne doit avoir des étapes ([[...steps]]), la dernière étant la diffusion",
            );
        }
    }
    if let Some((_, field)) = steps.iter().filter(|(s, _)| s.kind == StepKind::Publication).nth(1) {
        let (span, path) = step_kind_location(field);
        c.report(
            &span,
            &path,
            ProblemCode::StepOutOfOrder,
            "a chain has one publication step",
            "une chaîne n'a qu'une étape de diffusion",
        );
    }
    (c.problems.len() == before).then_some(ApprovalChainDefinition {
        content_type: content_type?,
        label: label?,
        steps: steps.into_iter().map(|(x, _)| x).collect(),
        note,
        source: source?,
    })
}

fn step_kind_location(field: &Field<'_, '_>) -> (std::ops::Range<usize>, String) {
    match field.value {
        toml::de::DeValue::Table(table) => table
            .get("kind")
            .map(|value| (value.span(), format!("{}.kind", field.path)))
            .unwrap_or_else(|| (field.span.clone(), field.path.clone())),
        _ => (field.span.clone(), field.path.clone()),
    }
}

fn read_utm(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<UtmConvention> {
    let before = c.problems.len();
    let value = |c: &mut Collector<'_>, key: &str| -> Option<String> {
        let field = t.require(c, key)?;
        let text = field.string(c)?;
        let known = ["{network}", "{campaign}", "{content_type}"];
        let mut rest = text.as_str();
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
            let placeholder = &rest[start..end];
            if !known.contains(&placeholder) {
                c.report(
                    &field.span,
                    &field.path,
                    ProblemCode::UnknownPlaceholder,
                    format!("unknown placeholder `{placeholder}` (expected {{network}}, {{campaign}} or {{content_type}})"),
                    format!("variable inconnue « {placeholder} » (permises : {{network}}, {{campaign}}, {{content_type}})"),
                );
            }
            rest = &rest[end..];
        }
        Some(text)
    };
    let source = value(c, "utm_source");
    let medium = value(c, "utm_medium");
    let campaign = value(c, "utm_campaign");
    let reference = source_ref(c, t);
    t.finish(c);
    (c.problems.len() == before).then_some(UtmConvention {
        source: source?,
        medium: medium?,
        campaign: campaign?,
        reference: reference?,
    })
}

fn read_tone(c: &mut Collector<'_>, t: &Table<'_, '_>) -> Option<ToneGuidance> {
    let network = required_vocabulary(c, t, "network", Network::parse, &Network::ids(), ProblemCode::BadValue);
    let audience = t.required_string(c, "audience");
    let tone = t.required_string(c, "tone");
    let source = source_ref(c, t);
    Some(ToneGuidance { network: network?, audience: audience?, tone: tone?, source: source? })
}

fn read_editorial(
    c: &mut Collector<'_>,
    t: &Table<'_, '_>,
    grants: &[RoleGrant],
) -> Option<EditorialRules> {
    let before = c.problems.len();
    let number = |c: &mut Collector<'_>, key: &str, default: u32, range: std::ops::RangeInclusive<i64>| -> Option<u32> {
        match t.get(key) {
            None => Some(default),
            Some(field) => field.integer_in(c, range).and_then(|n| u32::try_from(n).ok()),
        }
    };
    let max_characters = number(c, "suggestion_max_characters", 3000, 1..=100_000);
    let max_words = number(c, "suggestion_max_words", 500, 1..=20_000);
    let live_video = number(c, "live_video_min_criteria", 6, 1..=10);
    let source = source_ref(c, t);
    let chains = array_of(c, t, "chains", |c, t| read_chain(c, t, grants));
    check_unique(
        c,
        chains.iter().map(|(x, f)| (x.content_type.id().to_owned(), f)),
        "chain content_type",
    );
    if c.problems.len() == before && !chains.iter().any(|(x, _)| x.content_type == ContentType::Regular) {
        c.report(
            &t.span,
            &t.child_path("chains"),
            ProblemCode::MissingKey,
            "[editorial] needs a chain with content_type = \"regular\" (the fallback of every other type)",
            "[editorial] doit avoir une chaîne « regular » (celle des types sans chaîne propre)",
        );
    }
    let utm = section(c, t, "utm", false).map(|u| read_utm(c, &u));
    let tone = array_of(c, t, "tone", read_tone);
    check_unique(c, tone.iter().map(|(x, f)| (x.network.id().to_owned(), f)), "tone network");
    t.finish(c);
    let utm = match utm {
        Some(Some(utm)) => Some(utm),
        Some(None) => return None,
        None => None,
    };
    (c.problems.len() == before).then_some(EditorialRules {
        chains: chains.into_iter().map(|(x, _)| x).collect(),
        utm,
        tone: tone.into_iter().map(|(x, _)| x).collect(),
        suggestion_max_characters: max_characters?,
        suggestion_max_words: max_words?,
        live_video_min_criteria: live_video?,
        source: source?,
    })
}
