//! The iCalendar feed (RFC 5545) of an organisation's editorial calendar, written by hand:
//! one VEVENT per scheduled entry, times in UTC (`…Z`, so no VTIMEZONE is needed and Outlook
//! shows them in the reader's zone), text escaped (`\`, `;`, `,`, newlines) and lines folded
//! at 75 octets without splitting a UTF-8 character.

use jiff::{SignedDuration, Timestamp};

/// One event of the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Globally unique and stable (e.g. `entry-42@mamh.balise`).
    pub uid: String,
    pub start: Timestamp,
    /// Publications are instants; an event lasts 15 minutes unless told otherwise.
    pub duration: SignedDuration,
    pub summary: String,
    pub description: String,
    /// A link back to the entry's page.
    pub url: Option<String>,
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT values.
            other if other.is_control() => {}
            other => out.push(other),
        }
    }
    out
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Folds one content line: at most 75 octets per physical line, continuation lines starting
/// with one space (which counts in their 75), never splitting a UTF-8 character; each physical
/// line ends with CRLF.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for ch in line.chars() {
        let size = ch.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += size;
    }
    out.push_str("\r\n");
    out
}

/// The whole calendar. `dtstamp` is when the feed was produced.
pub fn calendar_to_ics(
    calendar_name: &str,
    events: &[CalendarEvent],
    dtstamp: Timestamp,
) -> String {
    let mut out = String::new();
    let mut line = |text: String| out.push_str(&fold_line(&text));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Balise//Calendrier de contenus//FR".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape_text(calendar_name)));
    for event in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape_text(&event.uid)));
        line(format!("DTSTAMP:{}", utc(dtstamp)));
        line(format!("DTSTART:{}", utc(event.start)));
        line(format!("DTEND:{}", utc(event.start + event.duration)));
        line(format!("SUMMARY:{}", escape_text(&event.summary)));
        line(format!("DESCRIPTION:{}", escape_text(&event.description)));
        if let Some(url) = &event.url {
            line(format!("URL:{url}"));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    }

    #[test]
    fn folding_keeps_75_octets_and_whole_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold_line(&line);
        let physical: Vec<&str> = folded.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(physical.len() > 2);
        for (index, part) in physical.iter().enumerate() {
            assert!(part.len() <= 75, "{} octets", part.len());
            if index > 0 {
                assert!(part.starts_with(' '));
            }
        }
        // Unfolding (remove CRLF + one space) gives the line back.
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        // "SUMMARY:" is 8 octets, then 33 "é" of 2 octets = 74; the 34th would make 76.
        assert_eq!(physical[0].len(), 74);
        // Four-byte characters (emoji) are never split either.
        let emoji = fold_line(&"🎉".repeat(40));
        for part in emoji.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(part.len() <= 75);
            assert!(std::str::from_utf8(part.as_bytes()).is_ok());
        }
        assert_eq!(fold_line("court"), "court\r\n");
    }

    proptest::proptest! {
        #[test]
        fn folding_round_trips_and_never_exceeds_75_octets(line in "\\PC{0,400}") {
            let folded = fold_line(&line);
            proptest::prop_assert!(folded.ends_with("\r\n"));
            for part in folded.trim_end_matches("\r\n").split("\r\n") {
                proptest::prop_assert!(part.len() <= 75, "{} octets", part.len());
            }
            proptest::prop_assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
    }

    #[test]
    fn a_calendar_has_its_required_properties() {
        let start: Timestamp = "2026-03-11T15:00:00Z".parse().unwrap();
        let ics = calendar_to_ics(
            "MAMH, calendrier",
            &[CalendarEvent {
                uid: "entry-1@mamh.balise".into(),
                start,
                duration: SignedDuration::from_mins(15),
                summary: "Piscines; sécurité".into(),
                description: "Facebook : texte\nX : autre".into(),
                url: None,
            }],
            "2026-03-01T12:00:00Z".parse().unwrap(),
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nUID:entry-1@mamh.balise\r\n"));
        assert!(ics.contains("\r\nDTSTAMP:20260301T120000Z\r\n"));
        assert!(ics.contains("\r\nDTSTART:20260311T150000Z\r\nDTEND:20260311T151500Z\r\n"));
        assert!(ics.contains("\r\nSUMMARY:Piscines\\; sécurité\r\n"));
        assert!(ics.contains("DESCRIPTION:Facebook : texte\\nX : autre"));
        assert!(ics.contains("X-WR-CALNAME:MAMH\\, calendrier"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }
}
