//! The CSV export of the calendar with S2 Annexe 5's columns, one row per variant. Every
//! cell is quoted, and a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab,
//! carriage return first) is neutralised with a leading apostrophe.

use jiff::tz::TimeZone;

use super::entry::{EntryContent, Media};

/// The header row: Annexe 5's columns, then the calendar's own.
pub const CSV_COLUMNS: [&str; 13] = [
    "DATE / HEURE",
    "MÉDIA",
    "MESSAGE et mot-clic",
    "LIEN et balises UTM",
    "PHOTO ou IMAGE et texte alternatif / VIDÉO et sous-titres",
    "MENTIONS",
    "GÉOLOCALISATION",
    "BUDGET",
    "Titre",
    "Plan de communication ou campagne",
    "Secteur",
    "Type de contenu",
    "Étape",
];

fn cell(text: &str) -> String {
    let neutralised = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", neutralised.replace('"', "\"\""))
}

fn media_text(media: Option<&Media>) -> String {
    match media {
        None => String::new(),
        Some(Media::Image {
            reference,
            alt_text,
        }) => format!("Image : {reference} — texte alternatif : {alt_text}"),
        Some(Media::Video {
            reference,
            subtitles,
            live,
        }) => format!(
            "{} : {reference} — sous-titres : {}",
            if *live { "Vidéo en direct" } else { "Vidéo" },
            if *subtitles { "oui" } else { "non" }
        ),
    }
}

/// The CSV text: header, then one row per variant of each entry (an entry without variants
/// gets one row), with its status label. Dates in the organisation's time zone.
pub fn entries_to_csv(entries: &[(EntryContent, String)], time_zone: &TimeZone) -> String {
    let mut out = String::new();
    let header: Vec<String> = CSV_COLUMNS.iter().map(|c| cell(c)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (entry, status) in entries {
        let when = entry
            .scheduled_at
            .map(|at| {
                at.to_zoned(time_zone.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        let shared = [
            entry.geolocation.clone().unwrap_or_default(),
            entry.budget.clone().unwrap_or_default(),
            entry.title.clone(),
            entry.campaign.clone().unwrap_or_default(),
            entry.sector.clone().unwrap_or_default(),
            entry.content_type.id().to_owned(),
            status.clone(),
        ];
        let mut rows: Vec<[String; 6]> = entry
            .variants
            .iter()
            .map(|variant| {
                [
                    when.clone(),
                    variant.network.to_string(),
                    variant.full_text(),
                    variant.link.clone().unwrap_or_default(),
                    media_text(variant.media.as_ref()),
                    variant.mentions.join(" "),
                ]
            })
            .collect();
        if rows.is_empty() {
            rows.push([
                when.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .chain(shared.iter())
                .map(|text| cell(text))
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::editorial::Variant;
    use crate::entities::{Network, OrganisationId};
    use crate::profile::ContentType;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(cell("=SUM(A1)"), "\"'=SUM(A1)\"");
        assert_eq!(cell("@cmd"), "\"'@cmd\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
        assert_eq!(cell("dit \"oui\""), "\"dit \"\"oui\"\"\"");
        assert_eq!(cell("#piscines"), "\"#piscines\"");
    }

    #[test]
    fn one_row_per_variant_with_annexe_5_columns() {
        let entry = EntryContent {
            organisation_id: OrganisationId::parse("mamh").unwrap(),
            title: "Piscines".into(),
            scheduled_at: Some("2026-06-01T14:00:00Z".parse().unwrap()),
            content_type: ContentType::Regular,
            campaign: Some("Été 2026".into()),
            sector: None,
            geolocation: Some("Québec".into()),
            budget: Some("=1+1".into()),
            documentation: None,
            already_validated: false,
            live_video: None,
            variants: vec![
                Variant {
                    network: Network::parse("facebook").unwrap(),
                    message: "Un, deux".into(),
                    hashtags: vec!["piscine".into()],
                    link: Some("https://x.gouv.qc.ca/?utm_source=facebook".into()),
                    media: Some(Media::Image {
                        reference: "img.png".into(),
                        alt_text: "Une piscine".into(),
                    }),
                    mentions: vec![],
                },
                Variant {
                    network: Network::parse("x").unwrap(),
                    message: "Court".into(),
                    hashtags: vec![],
                    link: None,
                    media: None,
                    mentions: vec!["@MAMH".into()],
                },
            ],
        };
        let csv = entries_to_csv(
            &[(entry, "Diffusée".into())],
            &TimeZone::get("America/Toronto").unwrap(),
        );
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("\"DATE / HEURE\",\"MÉDIA\",\"MESSAGE et mot-clic\""));
        assert!(lines[1].starts_with("\"2026-06-01 10:00\",\"facebook\",\"Un, deux #piscine\""));
        assert!(lines[1].contains("texte alternatif : Une piscine"));
        assert!(lines[1].contains("\"'=1+1\""));
        assert!(
            lines[2].contains("\"'@MAMH\""),
            "mentions starting with @ are neutralised too"
        );
    }
}
