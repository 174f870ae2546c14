//! The editorial calendar's approval chain in the browser (issue 6): a community manager
//! drafts an entry, the sector approves it, someone without the validation role finds no
//! form and is refused when they post one anyway, the communications manager validates,
//! and a community manager postpones the entry to make room for urgent news.

use crate::harness::{Browser, browser_test};
use domain::profile::Role;
use serde_json::json;

/// The id of the chain's current step on an entry page (`drafting`, `approval`, …), from
/// the row marked `aria-current="step"`.
async fn current_step(browser: &Browser) -> String {
    let step = browser.execute("return document.querySelector('#table-chaine tr[aria-current=step]')?.id.replace(/^etape-/, '') ?? '';", vec![]).await;
    step.as_str().unwrap().to_owned()
}

/// Records a decision (the default, approve) with a comment on the entry page shown.
async fn approve_with_comment(browser: &Browser, comment: &str) {
    let field = browser.field("Commentaire (facultatif)").await;
    browser.type_into(&field, comment).await;
    browser.press("Enregistrer la décision").await;
}

/// The decisions table, one line per decision.
async fn decisions(browser: &Browser) -> Vec<String> {
    let rows = browser
        .execute("return [...document.querySelectorAll('#table-decisions tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' '));", vec![])
        .await;
    rows.as_array().unwrap().iter().map(|row| row.as_str().unwrap().to_owned()).collect()
}

#[test]
fn an_entry_is_drafted_approved_validated_refused_to_others_and_postponed() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;

        // Drafting, by a community manager, in the new-entry form.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url("/calendrier/nouvelle")).await;
        let title = "Ouverture des inscriptions au programme d'aide aux sinistrés";
        browser.type_into(&browser.field("Titre").await, title).await;
        browser.set_value(&browser.find("#n-when").await, "2026-12-02T10:00").await;
        let message = "Les municipalités sinistrées peuvent s'inscrire dès aujourd'hui au programme d'aide financière.";
        browser.type_into(&browser.find("#n-facebook-message").await, message).await;
        browser.press("Créer la publication").await;
        let entry_url = browser.current_url().await;
        assert!(entry_url.contains("/calendrier/publications/"), "no entry page after creating: {entry_url}");
        assert!(browser.page_text().await.contains(message));
        assert_eq!(current_step(&browser).await, "drafting", "a new entry awaits its drafting");
        browser.assert_accessible("the entry page at drafting").await;
        approve_with_comment(&browser, "Rédaction terminée").await;
        assert_eq!(current_step(&browser).await, "approval");

        // Approval, by the sector, from its approvals inbox.
        browser.sign_in(&app, Role::SectorManager).await;
        browser.goto(&app.url("/calendrier/approbations")).await;
        let path = entry_url.trim_start_matches(&app.url(""));
        let link = browser.find(&format!("a[href^='{path}']")).await;
        browser.click_and_wait(&link).await;
        approve_with_comment(&browser, "Le secteur approuve").await;
        assert_eq!(current_step(&browser).await, "validation");

        // The sector manager does not hold the validation role: no decision form, and a
        // decision posted anyway (with the page's own CSRF token) is refused.
        assert!(browser.find_all("#form-decision").await.is_empty(), "a decision form is offered to someone without the role");
        let refused = browser
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   const csrf = document.querySelector('input[name=csrf]').value;
                   fetch(location.pathname + '/decision', { method: 'POST',
                       headers: { 'content-type': 'application/x-www-form-urlencoded' },
                       body: new URLSearchParams({ csrf, step: 'validation', decision: 'approve', comment: 'pas mon rôle' }) })
                     .then(r => done(r.status)).catch(e => done(String(e)));"#,
                vec![],
            )
            .await;
        assert_eq!(refused, json!(403), "a validation by the sector manager was not refused");
        browser.goto(&entry_url).await;
        assert_eq!(current_step(&browser).await, "validation", "the refused decision moved the entry");

        // Validation, by the communications manager.
        browser.sign_in(&app, Role::CommunicationsManager).await;
        browser.goto(&entry_url).await;
        approve_with_comment(&browser, "Validé par la DCOM").await;
        assert_eq!(current_step(&browser).await, "publication");
        let recorded = decisions(&browser).await;
        assert_eq!(recorded.len(), 3, "{recorded:#?}");
        for (line, comment) in recorded.iter().zip(["Rédaction terminée", "Le secteur approuve", "Validé par la DCOM"]) {
            assert!(line.contains(comment), "{line}");
        }

        // Postponement, by a community manager: new time proposed, then confirmed with a reason.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&entry_url).await;
        browser.set_value(&browser.field("Pas avant (Heure de l'organisme)").await, "2026-12-03T09:00").await;
        browser.press("Proposer les nouveaux moments").await;
        browser.assert_accessible("the postponement proposal").await;
        browser.type_into(&browser.field("Raison du report").await, "Actualité urgente : inondations").await;
        browser.press("Confirmer le report").await;
        let reports = browser.text_of(&browser.find("#reports").await).await;
        assert!(reports.contains("Actualité urgente : inondations"), "{reports}");
        assert!(reports.contains("2026-12-03"), "not moved to the proposed day: {reports}");
    });
}
