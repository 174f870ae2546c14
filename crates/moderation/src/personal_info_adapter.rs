//! The seam between the engine and the personal-information detectors of
//! `crate::personal_info`: they report byte ranges, the verdict needs char ranges.

/// Char ranges `[start, end)` of the personal information found in `text`.
pub fn personal_info_char_ranges(text: &str, public_phone_numbers: &[String]) -> Vec<(usize, usize)> {
    let byte_ranges: Vec<(usize, usize)> = detector_byte_ranges(text, public_phone_numbers);
    if byte_ranges.is_empty() {
        return Vec::new();
    }
    // One pass over the text for all ranges, so that many matches in a long text stay linear.
    let mut ranges: Vec<(usize, usize)> = byte_ranges
        .into_iter()
        .filter(|(start, end)| start < end && *end <= text.len() && text.is_char_boundary(*start) && text.is_char_boundary(*end))
        .collect();
    ranges.sort_unstable();
    let mut char_ranges = Vec::with_capacity(ranges.len());
    let mut chars_before = 0usize;
    let mut counted_bytes = 0usize;
    for (start, end) in ranges {
        if start < counted_bytes {
            // Overlaps an earlier range: count from its start instead.
            chars_before = text.get(..start).map_or(0, |prefix| prefix.chars().count());
        } else {
            chars_before += text.get(counted_bytes..start).map_or(0, |gap| gap.chars().count());
        }
        counted_bytes = start;
        let length = text.get(start..end).map_or(0, |matched| matched.chars().count());
        char_ranges.push((chars_before, chars_before + length));
    }
    char_ranges
}

fn detector_byte_ranges(text: &str, public_phone_numbers: &[String]) -> Vec<(usize, usize)> {
    crate::personal_info::find_personal_info(text, public_phone_numbers)
        .into_iter()
        .map(|found| (found.byte_start, found.byte_end))
        .collect()
}
