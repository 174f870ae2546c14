//! Campaign tags on links (S2 Annexe 5: "LIEN et balises UTM"): the organisation's
//! convention for `utm_source`, `utm_medium` and `utm_campaign` added to a link, keeping its
//! query and fragment, never adding a tag the link already has.

/// The organisation's UTM convention for one publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtmConvention {
    /// `utm_source`: usually the network id (`facebook`, `x`, …).
    pub source: String,
    /// `utm_medium`: e.g. `social`.
    pub medium: String,
    /// `utm_campaign`: the campaign or communications plan.
    pub campaign: String,
}

/// The link with the convention's tags appended to its query (before any `#fragment`).
/// A tag already present (any case) is kept as it is and not added again; empty values are
/// left out. Values are percent-encoded.
pub fn add_utm(url: &str, convention: &UtmConvention) -> String {
    let (before_fragment, fragment) = match url.find('#') {
        Some(hash) => (&url[..hash], Some(&url[hash..])),
        None => (url, None),
    };
    let (base, query) = match before_fragment.find('?') {
        Some(question) => (
            &before_fragment[..question],
            Some(&before_fragment[question + 1..]),
        ),
        None => (before_fragment, None),
    };
    let existing: Vec<String> = query
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut added: Vec<String> = Vec::new();
    for (name, value) in [
        ("utm_source", &convention.source),
        ("utm_medium", &convention.medium),
        ("utm_campaign", &convention.campaign),
    ] {
        if value.trim().is_empty() || existing.iter().any(|present| present == name) {
            continue;
        }
        added.push(format!("{name}={}", percent_encode(value.trim())));
    }
    let mut result = String::with_capacity(url.len() + 64);
    result.push_str(base);
    let query = query.unwrap_or("");
    if !query.is_empty() || !added.is_empty() {
        result.push('?');
    }
    result.push_str(query);
    if !added.is_empty() {
        if !query.is_empty() && !query.ends_with('&') {
            result.push('&');
        }
        result.push_str(&added.join("&"));
    }
    if let Some(fragment) = fragment {
        result.push_str(fragment);
    }
    result
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn percent_encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convention() -> UtmConvention {
        UtmConvention {
            source: "facebook".into(),
            medium: "social".into(),
            campaign: "habitation 2025".into(),
        }
    }

    #[test]
    fn tags_are_added_before_the_fragment_after_the_query() {
        assert_eq!(
            add_utm("https://www.quebec.ca/habitation", &convention()),
            "https://www.quebec.ca/habitation?utm_source=facebook&utm_medium=social&utm_campaign=habitation%202025"
        );
        assert_eq!(
            add_utm(
                "https://exemple.qc.ca/page?lang=fr#section-2",
                &convention()
            ),
            "https://exemple.qc.ca/page?lang=fr&utm_source=facebook&utm_medium=social&utm_campaign=habitation%202025#section-2"
        );
    }

    #[test]
    fn existing_tags_are_kept_and_not_duplicated() {
        assert_eq!(
            add_utm(
                "https://exemple.qc.ca/?UTM_Source=infolettre&x=1",
                &convention()
            ),
            "https://exemple.qc.ca/?UTM_Source=infolettre&x=1&utm_medium=social&utm_campaign=habitation%202025"
        );
        let once = add_utm("https://exemple.qc.ca/", &convention());
        assert_eq!(add_utm(&once, &convention()), once);
    }

    #[test]
    fn empty_values_are_left_out() {
        let convention = UtmConvention {
            source: "x".into(),
            medium: String::new(),
            campaign: " ".into(),
        };
        assert_eq!(
            add_utm("https://a.ca/#top", &convention),
            "https://a.ca/?utm_source=x#top"
        );
    }
}
