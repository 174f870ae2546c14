//! The French text of each notification: subject and plain-text body, with the case, the
//! deadline in the organisation's time zone, the time left or the lateness in business time
//! ("en retard de 2 h 15 ouvrables") and a link. The citizen's words go only in the body,
//! quoted line by line and never altered; nothing the citizen wrote reaches a header.

use jiff::tz::TimeZone;
use jiff::SignedDuration;
use store::respondents::NotificationKind;

use crate::plan::DueNotification;

/// A composed notification, ready for the mailer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposedEmail {
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// "2 h 15", "45 min", "3 h", "0 min": business time as people say it.
pub fn french_duration(duration: SignedDuration) -> String {
    let minutes = duration.abs().as_secs() / 60;
    let (hours, rest) = (minutes / 60, minutes % 60);
    match (hours, rest) {
        (0, rest) => format!("{rest} min"),
        (hours, 0) => format!("{hours} h"),
        (hours, rest) => format!("{hours} h {rest:02}"),
    }
}

/// The stage as the organisation names it in French.
fn stage_label(stage: &str) -> String {
    match stage {
        "triage" => "tri par l'équipe des communications".to_owned(),
        "sector" => "réponse approuvée du secteur".to_owned(),
        "review" => "révision et diffusion".to_owned(),
        "response" => "réponse".to_owned(),
        "urgent" => "cas urgent".to_owned(),
        other => other.to_owned(),
    }
}

/// Quotes the citizen's words for a plain-text body: each line prefixed with "> ". Line
/// breaks of any kind (CRLF, CR, LF) end a quoted line; the words themselves are untouched.
pub fn quote_citizen_text(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    normalised.split('\n').map(|line| format!("> {line}")).collect::<Vec<_>>().join("\n")
}

/// The profile's emergency contacts (R-13: the Centrale d'information criminelle in every
/// preset), one line each: label, phone, e-mail, note.
pub fn emergency_contacts(profile: &domain::profile::Profile) -> Vec<String> {
    profile
        .contacts()
        .iter()
        .filter(|contact| contact.kind == domain::profile::ContactKind::CriminalInformation)
        .map(|contact| {
            let mut parts = vec![contact.label.clone()];
            if let Some(phone) = &contact.phone {
                parts.push(format!("téléphone {}", phone.as_str()));
            }
            if let Some(email) = &contact.email {
                parts.push(format!("courriel {}", email.as_str()));
            }
            if let Some(note) = &contact.note {
                parts.push(note.clone());
            }
            parts.join(" — ")
        })
        .collect()
}

/// Composes the e-mail of one due notification. `case_reference` is the short label of
/// the case (`n° 42`), `citizen_text` the message's words, `public_url` Balise's address.
/// `emergency_contacts` are the profile's lines for urgent cases, listed in every
/// notification about an urgent case.
pub fn compose(
    notification: &DueNotification,
    time_zone: &TimeZone,
    case_reference: &str,
    citizen_text: &str,
    public_url: &str,
    emergency_contacts: &[String],
) -> ComposedEmail {
    let due_local = notification.due.to_zoned(time_zone.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let stage = stage_label(&notification.stage);
    let offset = french_duration(notification.business_offset);
    let case_id = notification.case_id.get();
    let (subject, situation) = match notification.kind {
        NotificationKind::Warning => (
            format!("[Balise] Échéance proche — dossier {case_reference} ({stage})"),
            format!("L'étape « {stage} » du dossier {case_reference} arrive à échéance le {due_local} : il reste {offset} ouvrables."),
        ),
        NotificationKind::Breach => (
            format!("[Balise] Échéance dépassée — dossier {case_reference} ({stage})"),
            format!(
                "L'étape « {stage} » du dossier {case_reference} devait être terminée le {due_local}. \
                 Le dossier est en retard de {offset} ouvrables."
            ),
        ),
        NotificationKind::DirectorateReferral => (
            format!("[Balise] Dossier {case_reference} orienté vers une direction régionale"),
            format!("Le dossier {case_reference} a été orienté vers une direction régionale."),
        ),
        NotificationKind::UrgentPage => (
            format!("[Balise] URGENT — dossier {case_reference} hors des heures de bureau"),
            format!(
                "Un cas urgent (dossier {case_reference}) est arrivé hors des heures de bureau pendant une période de vigilance. \
                 Première échéance : {due_local}."
            ),
        ),
    };
    let link = format!("{}/cases/{case_id}", public_url.trim_end_matches('/'));
    let urgent = notification.kind == NotificationKind::UrgentPage || notification.stage == crate::plan::URGENT_STAGE;
    let situation = if urgent && !emergency_contacts.is_empty() {
        let lines: Vec<String> = emergency_contacts.iter().map(|line| format!("- {line}")).collect();
        format!("{situation}\n\nPersonnes-ressources en cas d'urgence :\n{}", lines.join("\n"))
    } else {
        situation
    };
    let body = format!(
        "Bonjour,\n\n{situation}\n\nMessage reçu (texte intégral, non modifié) :\n\n{}\n\nOuvrir le dossier : {link}\n\n\
         -- \nCourriel automatique de Balise. Merci de ne pas y répondre.\n",
        quote_citizen_text(citizen_text)
    );
    ComposedEmail { recipients: notification.recipients.clone(), subject, body }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use domain::entities::CaseId;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(french_duration(SignedDuration::from_mins(135)), "2 h 15");
        assert_eq!(french_duration(SignedDuration::from_mins(-30)), "30 min");
        assert_eq!(french_duration(SignedDuration::from_mins(180)), "3 h");
        assert_eq!(french_duration(SignedDuration::from_mins(61)), "1 h 01");
    }

    #[test]
    fn a_breach_says_how_late_in_business_time_and_keeps_the_citizen_out_of_the_subject() {
        let notification = DueNotification {
            case_id: CaseId::new(42),
            stage: "triage".into(),
            kind: NotificationKind::Breach,
            due: "2026-03-03T14:15:00Z".parse().unwrap(),
            business_offset: SignedDuration::from_mins(135),
            recipients: vec!["dcom@example.org".into()],
        };
        let hostile = "Bonjour\r\nBcc: victime@example.com\r\n\r\n<script>alert(1)</script>";
        let email = compose(&notification, &TimeZone::get("America/Montreal").unwrap(), "n° 42", hostile, "https://balise.example/", &[]);
        assert_eq!(email.subject, "[Balise] Échéance dépassée — dossier n° 42 (tri par l'équipe des communications)");
        assert!(email.body.contains("en retard de 2 h 15 ouvrables"), "{}", email.body);
        assert!(email.body.contains("le 2026-03-03 09:15"));
        assert!(email.body.contains("> Bcc: victime@example.com\n"));
        assert!(email.body.contains("> <script>alert(1)</script>"));
        assert!(email.body.contains("https://balise.example/cases/42"));
        assert!(!email.subject.contains("Bcc"));
        assert!(!email.body.contains("urgence"), "no emergency contacts for an ordinary case");
    }

    #[test]
    fn an_urgent_page_lists_the_emergency_contacts() {
        let notification = DueNotification {
            case_id: CaseId::new(7),
            stage: crate::plan::URGENT_STAGE.into(),
            kind: NotificationKind::UrgentPage,
            due: "2026-03-07T04:00:00Z".parse().unwrap(),
            business_offset: SignedDuration::ZERO,
            recipients: vec!["garde@example.org".into()],
        };
        let profile = domain::profile::Profile::preset("mamh").unwrap();
        let contacts = emergency_contacts(&profile);
        let email = compose(&notification, profile.time_zone(), "n° 7", "menace", "https://balise.example", &contacts);
        assert!(email.body.contains("Personnes-ressources en cas d'urgence :"), "{}", email.body);
        assert!(email.body.contains("1 800 569-4264"), "{}", email.body);
        assert!(email.body.contains("cic@surete.qc.ca"), "{}", email.body);
    }
}
