//! The main journeys of the workplace (issue 5), as people do them in the browser: a
//! community manager signs in, triages an urgent case, hides an abusive comment and routes a
//! question to a sector's respondent; the respondent proposes an answer; the community
//! manager approves it, prepares the reply and confirms it; the countdown and the audit
//! entries show on the case page.

use crate::harness::{Browser, browser_test};
use domain::profile::Role;
use serde_json::{Value, json};

/// Sends messages through `POST /api/v1/messages` with a community manager's API token, as a
/// connector would, received now; returns each one's case id, in order.
pub async fn receive(app: &testkit::TestApp, messages: &[(&str, &str, &str)]) -> Vec<i64> {
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let now = jiff::Zoned::now().timestamp().to_string();
    let batch: Vec<Value> = messages
        .iter()
        .map(|(external_id, author_name, text)| {
            json!({
                "network": "facebook", "account": "@MAMHQuebec", "external_id": external_id,
                "thread": "publication-e2e", "author": format!("auteur-{external_id}"), "author_name": author_name,
                "text": text, "kind": "comment", "received_at": now,
            })
        })
        .collect();
    post_batch(app, &client, &batch).await
}

/// Posts a batch of messages to `POST /api/v1/messages` with `client`; returns each one's
/// case id, in order (every message must open a case).
pub async fn post_batch(app: &testkit::TestApp, client: &reqwest::Client, batch: &[Value]) -> Vec<i64> {
    let response = client.post(app.url("/api/v1/messages")).json(batch).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["case_id"].as_i64().unwrap_or_else(|| panic!("no case opened: {result}")))
        .collect()
}

/// The rows of the case page's history table (audit log), as `actor action rule` lines.
async fn history(browser: &Browser) -> Vec<String> {
    let rows = browser
        .execute(
            r#"const section = document.getElementById('historique-titre').closest('section');
               return [...section.querySelectorAll('tbody tr')].map(r => r.innerText.replace(/\s+/g, ' '));"#,
            vec![],
        )
        .await;
    rows.as_array().unwrap().iter().map(|row| row.as_str().unwrap().to_owned()).collect()
}

/// Chooses, in the list labelled `label`, the option whose value is `value`, then presses
/// the form's button `button`.
async fn choose_and_press(browser: &Browser, label: &str, value: &str, button: &str) {
    let list = browser.field(label).await;
    browser.select(&list, value).await;
    browser.press(button).await;
}

/// Chooses, in the list labelled `label`, the option whose visible text contains `text`.
pub async fn select_containing(browser: &Browser, label: &str, text: &str) {
    let list = browser.field(label).await;
    let value = browser
        .execute(
            "return [...arguments[0].options].find(o => o.textContent.includes(arguments[1]))?.value ?? null;",
            vec![list.as_json(), json!(text)],
        )
        .await;
    let value = value.as_str().unwrap_or_else(|| panic!("no option containing « {text} » in « {label} »"));
    browser.select(&list, value).await;
}

#[test]
fn community_manager_triages_hides_routes_and_replies_with_the_respondent() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let respondent = crate::people::ensure_user(&app, Role::Respondent, Some("Julie Bouchard")).await;
        let question = "Bonjour, quand est-ce que le programme d'aide financière aux sinistrés va rouvrir pour les municipalités de la Côte-Nord?";
        let abusive = "Gang d'osties d'incompétents, vous êtes juste des câlisses de voleurs!";
        let cases = receive(
            &app,
            &[
                ("e2e-question", "Marie Tremblay", question),
                ("e2e-abusive", "Jean Gagnon", abusive),
                ("e2e-threat", "Anonyme", "Je vais faire sauter l'édifice du ministère demain matin."),
            ],
        )
        .await;
        let (question_case, abusive_case, threat_case) = (cases[0], cases[1], cases[2]);

        // The inbox: the urgent case comes first, marked urgent in words (not by colour alone).
        browser.sign_in(&app, Role::CommunityManager).await;
        // The history names people by login.
        let manager = crate::people::login_of(Role::CommunityManager);
        browser.goto(&app.url("/boite")).await;
        let first = browser.find("ol.inbox > li").await;
        let first_text = browser.text_of(&first).await;
        assert!(first_text.contains("Urgent"), "the first row is not the urgent case: {first_text}");
        assert!(first_text.contains(&format!("{threat_case}")), "{first_text}");
        let countdown = browser.text_of(&browser.find("ol.inbox > li .countdown").await).await;
        assert!(!countdown.trim().is_empty(), "no countdown in the inbox row");

        // Triage the urgent case: open it from the inbox, confirm its route.
        let open = browser.find(&format!("a[href^='/cas/{threat_case}']")).await;
        browser.click_and_wait(&open).await;
        assert!(browser.current_url().await.ends_with(&format!("/cas/{threat_case}")));
        choose_and_press(&browser, "Confirmer ou changer l'acheminement", "urgent", "Enregistrer l'acheminement").await;
        let entries = history(&browser).await;
        assert!(
            entries.iter().any(|entry| entry.contains("route_") && entry.contains(&manager)),
            "no route entry by {manager} in the history: {entries:#?}"
        );

        // Hide the abusive comment under a netiquette clause.
        browser.goto(&app.url(&format!("/cas/{abusive_case}"))).await;
        select_containing(&browser, "Article de nétiquette", "mamh-a7-injurieux").await;
        browser.press("Masquer le commentaire").await;
        let entries = history(&browser).await;
        assert!(
            entries.iter().any(|entry| entry.contains("hide") && entry.contains(&manager)),
            "no hide entry by {manager}: {entries:#?}"
        );
        assert!(browser.citizen_texts().await.iter().any(|text| text == abusive), "the hidden comment's words must still be shown to the team, unedited");

        // Route the question to the respondent and assign it to them.
        browser.goto(&app.url(&format!("/cas/{question_case}"))).await;
        choose_and_press(&browser, "Confirmer ou changer l'acheminement", "respondent", "Enregistrer l'acheminement").await;
        select_containing(&browser, "Assigner ou transférer à", &respondent.display_name).await;
        browser.press("Assigner").await;
        let summary = browser.visible_text().await;
        assert!(summary.contains(&respondent.display_name), "the case is not assigned to the respondent:\n{summary}");

        // The respondent finds it among their cases and proposes an answer.
        browser.sign_in(&app, Role::Respondent).await;
        browser.goto(&app.url("/boite")).await;
        let open = browser.find(&format!("a[href^='/cas/{question_case}']")).await;
        browser.click_and_wait(&open).await;
        let proposed = "Le programme rouvrira le 1er décembre; les détails sont sur la page du programme.";
        let field = browser.field("Proposer une réponse").await;
        browser.type_into(&field, proposed).await;
        browser.assert_accessible("the respondent's case page").await;
        browser.press("Transmettre la réponse proposée").await;
        assert!(browser.page_text().await.contains(proposed), "the proposed answer is not shown");

        // The community manager approves it, prepares the reply from it and confirms it.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{question_case}"))).await;
        browser.press("Approuver").await;
        let reply = browser.field("Préparer la réponse (modifiable)").await;
        browser.type_into(&reply, &format!("Bonjour Marie, {proposed}")).await;
        browser.press("Préparer le brouillon").await;
        browser.assert_accessible("the case page with a draft reply").await;
        browser.press("Confirmer l'envoi").await;

        // The countdown and the audit entries show on the case page.
        let countdown = browser.text_of(&browser.find(".summary .countdown").await).await;
        assert!(!countdown.trim().is_empty(), "no countdown on the case page");
        let entries = history(&browser).await;
        for action in ["answer_proposed", "answer_approved", "reply_prepared", "reply_confirmed"] {
            assert!(entries.iter().any(|entry| entry.contains(action)), "no {action} in the history: {entries:#?}");
        }
        assert!(entries.iter().any(|entry| entry.contains("answer_proposed") && entry.contains(respondent.login.as_str())));
    });
}
