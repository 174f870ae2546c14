//! when a person routes a case to a regional directorate (`regional_directorate:<id>`),
//! the directorate's generic mailbox (from the profile) is told by e-mail, once. The record
//! of notifications sent (`directorate_referral`) is what makes it once: a case already
//! recorded is never mailed again, and a failed send is retried by the next pass.

use domain::audit::Attribution;
use domain::entities::{CaseId, OrganisationId};
use domain::profile::Profile;
use store::respondents::{NotificationKind, SentNotification};
use store::Store;

use crate::compose::{quote_citizen_text, ComposedEmail};
use crate::mailer::Mailer;
use crate::NotifyError;

/// The stage the referral is recorded under in the sent notifications.
pub const REFERRAL_STAGE: &str = "regional_directorate";

/// What one referral pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralReport {
    /// Cases whose directorate was mailed, with the address.
    pub sent: Vec<(CaseId, String)>,
    /// Cases whose directorate has no mailbox in the profile (nothing to send).
    pub unaddressed: Vec<CaseId>,
    /// Sends that failed (retried next pass), with the reason.
    pub failed: Vec<(CaseId, String)>,
}

/// The French e-mail to a directorate's mailbox.
pub fn compose_referral(
    directorate_name: &str,
    address: &str,
    case_id: CaseId,
    author_name: &str,
    citizen_text: &str,
    public_url: &str,
) -> ComposedEmail {
    let reference = format!("n° {}", case_id.get());
    let link = format!("{}/cases/{}", public_url.trim_end_matches('/'), case_id.get());
    ComposedEmail {
        recipients: vec![address.to_owned()],
        subject: format!("[Balise] Dossier {reference} orienté vers votre direction régionale"),
        body: format!(
            "Bonjour,\n\nLa Direction des communications a orienté vers la {directorate_name} une discussion \
             reçue sur ses médias sociaux (dossier {reference}). La personne a été invitée à communiquer avec \
             vous par téléphone ou par courriel.\n\nAuteur affiché : {author}\n\nMessage reçu (texte intégral, \
             non modifié) :\n\n{quoted}\n\nOuvrir le dossier : {link}\n\n-- \nCourriel automatique de Balise. \
             Merci de ne pas y répondre.\n",
            author = author_name.replace(['\r', '\n'], " "),
            quoted = quote_citizen_text(citizen_text),
        ),
    }
}

/// Mails each regional directorate its newly referred cases, once, and records each send
/// (audited `directorate_referral_sent` under R-24).
pub async fn notify_directorate_referrals(
    store: &Store,
    by: &Attribution,
    organisation_id: &OrganisationId,
    profile: &Profile,
    mailer: &Mailer,
) -> Result<ReferralReport, NotifyError> {
    let mut report = ReferralReport::default();
    for pending in store.pending_directorate_referrals(organisation_id).await? {
        let directorate = profile.regional_directorates().iter().find(|d| d.id == pending.directorate_id);
        let Some((directorate, address)) =
            directorate.and_then(|d| d.email.as_ref().map(|email| (d, email.as_str().to_owned())))
        else {
            report.unaddressed.push(pending.case_id);
            continue;
        };
        let email = compose_referral(
            &directorate.name,
            &address,
            pending.case_id,
            &pending.author_name,
            &pending.text,
            mailer.public_url(),
        );
        if let Err(error) = mailer.send(&email).await {
            tracing::warn!(case = pending.case_id.get(), %error, "directorate referral not sent");
            report.failed.push((pending.case_id, error.to_string()));
            continue;
        }
        let sent = SentNotification {
            case_id: pending.case_id,
            stage: REFERRAL_STAGE.to_owned(),
            kind: NotificationKind::DirectorateReferral,
        };
        if store.record_notification_sent(by, organisation_id, &sent, std::slice::from_ref(&address)).await? {
            report.sent.push((pending.case_id, address));
        }
    }
    Ok(report)
}
