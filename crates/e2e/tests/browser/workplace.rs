//! The workplace journeys of issue 5 that `journeys.rs` does not drive, as people do them in
//! the browser: warnings up to the profile's block threshold, the proposed block confirmed
//! by the role that holds it, and the author's history on a later case, with a respondent
//! refused both the buttons and a direct post; assignment, transfer and the substitute who
//! takes over during an absence; a sector manager's designations and the CSV export; the
//! inbox's filters and keyboard shortcuts; the commitments chart and table and the audit
//! search with its chain status; personal information masked for the roles that must not
//! read it (R-82).

use crate::harness::{Browser, browser_test};
use crate::journeys::select_containing;
use domain::entities::{Login, NewUser, OrganisationId, RoleId, User};
use domain::profile::{Profile, Role};
use serde_json::{Value, json};
use std::time::Duration;

/// The organisation's time zone (the MAMH profile's), in which forms take local times.
const ZONE: &str = "America/Toronto";

/// One message a connector delivers: its external id, network, account handle, author id,
/// author name and text.
struct Incoming<'a> {
    id: &'a str,
    network: &'a str,
    account: &'a str,
    author: &'a str,
    name: &'a str,
    text: &'a str,
}

fn incoming<'a>(id: &'a str, author: &'a str, name: &'a str, text: &'a str) -> Incoming<'a> {
    Incoming { id, network: "facebook", account: "@MAMHQuebec", author, name, text }
}

/// Sends messages through `POST /api/v1/messages` with a community manager's API token, as
/// a connector would, received at `received_at`; returns each one's case id, in order.
async fn receive_at(app: &testkit::TestApp, received_at: jiff::Timestamp, messages: &[Incoming<'_>]) -> Vec<i64> {
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let batch: Vec<Value> = messages
        .iter()
        .map(|message| {
            json!({
                "network": message.network, "account": message.account, "external_id": message.id,
                "thread": format!("publication-{}", message.id), "author": message.author, "author_name": message.name,
                "text": message.text, "kind": "comment", "received_at": received_at.to_string(),
            })
        })
        .collect();
    crate::journeys::post_batch(app, &client, &batch).await
}

async fn receive_now(app: &testkit::TestApp, messages: &[Incoming<'_>]) -> Vec<i64> {
    receive_at(app, jiff::Timestamp::now(), messages).await
}

/// A second person of a role (the test users of `people` are one per role), created with a
/// real argon2 hash if missing.
async fn ensure_person(app: &testkit::TestApp, role: Role, login: &str, name: &str) -> User {
    let parsed = Login::parse(login).unwrap();
    if let Some(user) = app.store.get_user_by_login(&parsed).await.unwrap() {
        return user;
    }
    let password = web::auth::password::NewPassword::parse(crate::people::PASSWORD).unwrap();
    let user = NewUser {
        organisation_id: OrganisationId::parse(crate::people::ORGANISATION).unwrap(),
        login: parsed,
        display_name: name.to_owned(),
        role: RoleId::parse(role.id()).unwrap(),
        password_hash: web::auth::password::hash_password_blocking(password).await.unwrap(),
    };
    let by = domain::audit::Attribution::by(domain::audit::Actor::system("e2e").unwrap());
    app.store.add_user(&by, &user).await.unwrap()
}

/// Signs in through the sign-in page as `login`, after forgetting any earlier session.
async fn sign_in_as(browser: &Browser, app: &testkit::TestApp, login: &str) {
    browser.goto(&app.url("/connexion")).await;
    browser.forget_cookies().await;
    browser.goto(&app.url("/connexion")).await;
    browser.type_into(&browser.field("Identifiant").await, login).await;
    browser.type_into(&browser.field("Mot de passe").await, crate::people::PASSWORD).await;
    browser.press("Se connecter").await;
    let url = browser.current_url().await;
    assert!(!url.contains("/connexion"), "the sign-in of {login} was refused: {}", browser.visible_text().await);
}


/// The rendered text of the element matching `css`, or an empty string when there is none.
async fn text_at(browser: &Browser, css: &str) -> String {
    let text = browser.execute("return document.querySelector(arguments[0])?.innerText ?? '';", vec![json!(css)]).await;
    text.as_str().unwrap().replace(char::is_whitespace, " ")
}

/// The flash message shown after a form, if any.
async fn flash(browser: &Browser) -> String {
    text_at(browser, ".flash").await
}

/// The text of the section whose heading has the id `heading`.
async fn section_text(browser: &Browser, heading: &str) -> String {
    let text = browser
        .execute("return document.getElementById(arguments[0])?.closest('section')?.innerText ?? '';", vec![json!(heading)])
        .await;
    text.as_str().unwrap().replace(char::is_whitespace, " ")
}

/// The assignee shown in the case page's summary.
async fn assignee_shown(browser: &Browser) -> String {
    let text = browser
        .execute(
            r#"for (const d of document.querySelectorAll('.summary > div')) {
                 if (d.querySelector('dt').textContent.trim() === 'Responsable') return d.querySelector('dd').innerText.trim();
               }
               return null;"#,
            vec![],
        )
        .await;
    text.as_str().expect("a « Responsable » line in the case page's summary").to_owned()
}

/// The case ids of the inbox rows shown, in order.
async fn inbox_case_ids(browser: &Browser) -> Vec<i64> {
    let ids = browser
        .execute(
            "return [...document.querySelectorAll('ol.inbox > li a[data-open]')].map(a => Number(new URL(a.href).pathname.split('/').pop()));",
            vec![],
        )
        .await;
    ids.as_array().unwrap().iter().map(|id| id.as_i64().unwrap()).collect()
}

/// The HTTP status of the document shown (the last navigation's response).
async fn document_status(browser: &Browser) -> u64 {
    let status = browser.execute("return performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0;", vec![]).await;
    status.as_u64().unwrap()
}

/// Posts a form to `path` from the page shown with `fetch`, with the page's own CSRF token,
/// and returns the HTTP status (redirections not followed).
async fn post_from_page(browser: &Browser, path: &str, fields: Value) -> u64 {
    let status = browser
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const csrf = document.querySelector('input[name=csrf]').value;
               const body = new URLSearchParams({ csrf, ...arguments[1] });
               fetch(arguments[0], { method: 'POST', redirect: 'manual', credentials: 'same-origin',
                   headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
                 .then(r => done(r.type === 'opaqueredirect' ? 303 : r.status)).catch(e => done(String(e)));"#,
            vec![json!(path), fields],
        )
        .await;
    status.as_u64().unwrap_or_else(|| panic!("POST {path}: {status}"))
}

/// Builds a form to `path` in the page shown, with the page's CSRF token and `fields`, and
/// submits it as the browser would; waits for the page it leads to.
async fn submit_forged_form(browser: &Browser, path: &str, fields: Value) {
    browser
        .execute(
            r#"const form = document.createElement('form');
               form.method = 'post'; form.action = arguments[0]; form.id = 'e2e-forged';
               const fields = { csrf: document.querySelector('input[name=csrf]').value, ...arguments[1] };
               for (const [name, value] of Object.entries(fields)) {
                 const input = document.createElement('input');
                 input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
               }
               const button = document.createElement('button'); button.type = 'submit'; button.textContent = 'e2e';
               form.appendChild(button); document.body.appendChild(form); return true;"#,
            vec![json!(path), fields],
        )
        .await;
    let button = browser.find("#e2e-forged button").await;
    browser.click_and_wait(&button).await;
}

/// Presses and releases one key on the page (sent to the focused element).
async fn press_key(browser: &Browser, key: &str) {
    browser
        .command(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "clavier", "actions": [
                { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key } ] }] })),
        )
        .await
        .unwrap_or_else(|error| panic!("key {key}: {}: {}", error.code, error.message));
}

/// Waits (up to 10 s) until `script` returns true; panics naming `what` otherwise.
async fn wait_until(browser: &Browser, script: &str, what: &str) {
    for _ in 0..200 {
        if browser.execute(script, vec![]).await == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what} (at {})", browser.current_url().await);
}

/// A local time of the organisation, `offset` from now, as a `datetime-local` field takes it.
fn local_field_time(offset: jiff::SignedDuration) -> String {
    let zone = jiff::tz::TimeZone::get(ZONE).unwrap();
    let at = jiff::Timestamp::now().checked_add(offset).unwrap().to_zoned(zone);
    at.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// The rows of the table labelled by the heading `heading` (`aria-labelledby`), each as its
/// cells' texts.
async fn table_rows(browser: &Browser, heading: &str) -> Vec<Vec<String>> {
    let rows = browser
        .execute(
            r#"const table = document.querySelector(`table[aria-labelledby="${arguments[0]}"]`);
               if (!table) return [];
               return [...table.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()));"#,
            vec![json!(heading)],
        )
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(|cell| cell.as_str().unwrap().to_owned()).collect())
        .collect()
}

/// Fetches `href` from the page with the session's cookies; returns the status, the
/// content type and the body.
async fn fetch_text(browser: &Browser, href: &str) -> (u64, String, String) {
    let result = browser
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch(arguments[0], { credentials: 'same-origin' })
                 .then(r => r.text().then(t => done([r.status, r.headers.get('content-type') || '', t])))
                 .catch(e => done([0, '', String(e)]));"#,
            vec![json!(href)],
        )
        .await;
    (result[0].as_u64().unwrap(), result[1].as_str().unwrap().to_owned(), result[2].as_str().unwrap().to_owned())
}

/// Splits a CSV document (RFC 4180 quoting, CRLF) into records of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, other) => field.push(other),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, other) => field.push(other),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Posts the warning form of the case page shown, with a clause and a message.
async fn warn_on_page(browser: &Browser, message: &str) {
    let clause = browser.find("#warn-clause").await;
    let value = browser
        .execute("return [...arguments[0].options].find(o => o.value.includes('injurieux'))?.value ?? null;", vec![clause.as_json()])
        .await;
    browser.select(&clause, value.as_str().expect("an abusive-language clause in the MAMH netiquette")).await;
    browser.type_into(&browser.find("#warn-text").await, message).await;
    browser.press("Avertir").await;
}

/// Whether the case page shown offers the block form / the warning form.
async fn offers(browser: &Browser, css: &str) -> bool {
    !browser.find_all(css).await.is_empty()
}

#[test]
fn warnings_up_to_the_threshold_propose_a_block_the_history_shows_it_and_a_respondent_is_refused() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let threshold = Profile::preset("mamh").unwrap().moderation_settings().warnings_before_block;
        assert!(threshold >= 1, "the journey warns before blocking; the MAMH profile's threshold is {threshold}");
        let respondent = crate::people::ensure_user(&app, Role::Respondent, Some("Julie Bouchard")).await;
        let author = "auteur-recidiviste";
        let earlier = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_mins(30)).unwrap();
        let first_cases = receive_at(
            &app,
            earlier,
            &[
                incoming("e2e-insulte-1", author, "Roger Pelletier", "Bande de caves, vous comprenez rien pantoute au dossier des routes!"),
                incoming("e2e-insulte-2", author, "Roger Pelletier", "Encore des caves au ministère, des incompétents finis."),
            ],
        )
        .await;
        let (first, second) = (first_cases[0], first_cases[1]);

        // Below the threshold, warnings only; at it, the page proposes a block.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{first}"))).await;
        assert!(offers(&browser, "#warn-text").await, "the community manager is not offered the warning form");
        assert!(!offers(&browser, "#block-reason").await, "a block is proposed before any warning");
        for warning in 1..=threshold {
            warn_on_page(&browser, &format!("Avertissement {warning} : la nétiquette interdit les propos injurieux.")).await;
            let author_section = section_text(&browser, "auteur-titre").await;
            assert!(author_section.contains(&format!("Avertissements reçus : {warning}.")), "{author_section}");
            let reached = warning >= threshold;
            assert_eq!(offers(&browser, "#block-reason").await, reached, "block proposed after {warning} warning(s) of {threshold}");
            let message = flash(&browser).await;
            assert_eq!(message.contains("un blocage est proposé"), reached, "flash after warning {warning}: {message}");
        }
        browser.assert_accessible("the case page proposing a block").await;

        // The author's second case: the earlier one and the warnings are in the history; one
        // more warning is recorded there.
        browser.goto(&app.url(&format!("/cas/{second}"))).await;
        let author_section = section_text(&browser, "auteur-titre").await;
        assert!(author_section.contains(&format!("Dossier {first}")), "the earlier case is not in the author's history: {author_section}");
        assert!(author_section.contains(&format!("Avertissements reçus : {threshold}.")), "{author_section}");
        warn_on_page(&browser, "Dernier avertissement avant blocage.").await;
        let warnings = threshold + 1;
        assert!(section_text(&browser, "auteur-titre").await.contains(&format!("Avertissements reçus : {warnings}.")));

        // The communications manager of the MAMH holds neither `moderate` nor `block_author`
        // (S2 §8.2 gives them to community managers): no warning or block form for them.
        browser.sign_in(&app, Role::CommunicationsManager).await;
        browser.goto(&app.url(&format!("/cas/{second}"))).await;
        assert!(section_text(&browser, "auteur-titre").await.contains(&format!("Avertissements reçus : {warnings}.")));
        assert!(!offers(&browser, "#warn-text").await && !offers(&browser, "#block-reason").await, "forms offered without the role");

        // The community manager confirms the proposed block with a reason.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{second}"))).await;
        assert!(offers(&browser, "#block-reason").await, "the block is no longer proposed on the author's second case");
        browser.type_into(&browser.field("Motif du blocage").await, "Propos injurieux répétés après avertissements").await;
        browser.press("Confirmer le blocage").await;
        assert!(flash(&browser).await.contains("blocage de l'auteur est enregistré"), "{}", flash(&browser).await);
        assert!(section_text(&browser, "auteur-titre").await.contains("Auteur bloqué."));
        assert!(!offers(&browser, "#block-reason").await, "a block is still proposed for a blocked author");

        // A later case of the same author shows the warnings, the block and the earlier cases.
        let later = receive_now(&app, &[incoming("e2e-insulte-3", author, "Roger Pelletier", "Vous êtes encore des caves, je reviens avec un autre compte.")]).await[0];
        browser.goto(&app.url(&format!("/cas/{later}"))).await;
        let author_section = section_text(&browser, "auteur-titre").await;
        for expected in [format!("Avertissements reçus : {warnings}."), "Auteur bloqué.".to_owned(), format!("Dossier {first}"), format!("Dossier {second}")] {
            assert!(author_section.contains(&expected), "« {expected} » missing from the later case's author history: {author_section}");
        }

        // Assigned the later case, a respondent reads it but has neither form, and posting
        // one anyway — from a script or as a form of the page — is refused with 403.
        select_containing(&browser, "Assigner ou transférer à", &respondent.display_name).await;
        browser.press("Assigner").await;
        browser.sign_in(&app, Role::Respondent).await;
        browser.goto(&app.url(&format!("/cas/{later}"))).await;
        assert_eq!(document_status(&browser).await, 200, "the respondent cannot read the case assigned to them");
        assert!(!offers(&browser, "#warn-text").await, "a respondent is offered the warning form");
        assert!(!offers(&browser, "#block-reason").await, "a respondent is offered the block form");
        let buttons = browser.execute("return [...document.querySelectorAll('button')].map(b => b.textContent.trim());", vec![]).await;
        for forbidden in ["Avertir", "Confirmer le blocage", "Masquer le commentaire"] {
            assert!(!buttons.as_array().unwrap().iter().any(|button| button == forbidden), "a respondent sees « {forbidden} »: {buttons}");
        }
        let warn_path = format!("/cas/{later}/avertissement");
        let block_path = format!("/cas/{later}/blocage");
        assert_eq!(post_from_page(&browser, &warn_path, json!({ "clause": "", "text": "pas mon rôle" })).await, 403);
        assert_eq!(post_from_page(&browser, &block_path, json!({ "reason": "pas mon rôle" })).await, 403);
        submit_forged_form(&browser, &warn_path, json!({ "clause": "", "text": "pas mon rôle" })).await;
        assert_eq!(document_status(&browser).await, 403, "the forged warning form was not refused: {}", browser.visible_text().await);
        browser.goto(&app.url(&format!("/cas/{later}"))).await;
        let author_section = section_text(&browser, "auteur-titre").await;
        assert!(author_section.contains(&format!("Avertissements reçus : {warnings}.")), "a refused warning was counted: {author_section}");
    });
}

#[test]
fn a_case_is_assigned_transferred_and_taken_over_by_the_substitute_during_an_absence() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let julie = crate::people::ensure_user(&app, Role::Respondent, Some("Julie Bouchard")).await;
        let marc = ensure_person(&app, Role::Respondent, "e2e-respondent-2", "Marc Lévesque").await;
        let cases = receive_now(
            &app,
            &[
                incoming("e2e-transfert", "citoyen-1", "Marie Tremblay", "Bonjour, où en est ma demande de subvention pour la voirie locale?"),
                incoming("e2e-avant-absence", "citoyen-2", "Paul Roy", "Comment contester l'évaluation foncière de ma maison?"),
                incoming("e2e-pendant-absence", "citoyen-3", "Lise Roy", "Quand arrive le nouveau rôle d'évaluation foncière de ma municipalité?"),
            ],
        )
        .await;
        let (transferred, before_absence, during_absence) = (cases[0], cases[1], cases[2]);

        // Assignment to Julie, then transfer to Marc.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{transferred}"))).await;
        select_containing(&browser, "Assigner ou transférer à", &julie.display_name).await;
        browser.press("Assigner").await;
        assert_eq!(assignee_shown(&browser).await, julie.display_name);
        select_containing(&browser, "Assigner ou transférer à", &marc.display_name).await;
        browser.press("Assigner").await;
        assert_eq!(assignee_shown(&browser).await, marc.display_name, "the transfer did not change the assignee");

        // Marc finds it among his cases; Julie no longer does, and may not open it.
        sign_in_as(&browser, &app, marc.login.as_str()).await;
        browser.goto(&app.url("/boite")).await;
        assert!(inbox_case_ids(&browser).await.contains(&transferred), "the transferred case is not in Marc's inbox");
        browser.sign_in(&app, Role::Respondent).await;
        browser.goto(&app.url("/boite")).await;
        assert!(!inbox_case_ids(&browser).await.contains(&transferred), "the transferred case is still in Julie's inbox");
        assert_eq!(browser.status_of(&app.url(&format!("/cas/{transferred}"))).await, 403);

        // The sector manager designates Julie for a unit of the DGFEF, Marc as substitute.
        browser.sign_in(&app, Role::SectorManager).await;
        browser.goto(&app.url("/repondants")).await;
        browser.type_into(&browser.field("Unité").await, "dgfef-evaluation").await;
        browser.select(&browser.field("Secteur").await, "dgfef").await;
        select_containing(&browser, "Répondant", &julie.display_name).await;
        select_containing(&browser, "Substitut", &marc.display_name).await;
        browser.press("Enregistrer la désignation").await;

        // A case routed to the sector goes to Julie while she is present.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{before_absence}"))).await;
        browser.select(&browser.field("Confirmer ou changer l'acheminement").await, "respondent:dgfef").await;
        browser.press("Enregistrer l'acheminement").await;
        assert_eq!(assignee_shown(&browser).await, julie.display_name, "the sector's case did not go to its respondent");

        // The sector manager records Julie's absence, from an hour ago to in two days.
        browser.sign_in(&app, Role::SectorManager).await;
        browser.goto(&app.url("/repondants")).await;
        select_containing(&browser, "Personne", &julie.display_name).await;
        browser.set_value(&browser.field("Début").await, &local_field_time(jiff::SignedDuration::from_hours(-1))).await;
        browser.set_value(&browser.field("Fin").await, &local_field_time(jiff::SignedDuration::from_hours(48))).await;
        browser.type_into(&browser.field("Motif").await, "Congé de maladie").await;
        browser.press("Enregistrer l'absence").await;
        let absences = table_rows(&browser, "absences").await;
        assert!(
            absences.iter().any(|row| row[0] == julie.display_name && row[3] == "Congé de maladie"),
            "the absence is not listed: {absences:?}"
        );

        // During the absence, Marc answers for the unit: the case already routed moves to
        // him, and a case routed now goes to him.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{before_absence}"))).await;
        assert_eq!(assignee_shown(&browser).await, marc.display_name, "the substitute did not take over the absent respondent's case");
        browser.goto(&app.url(&format!("/cas/{during_absence}"))).await;
        browser.select(&browser.field("Confirmer ou changer l'acheminement").await, "respondent:dgfef").await;
        browser.press("Enregistrer l'acheminement").await;
        assert_eq!(assignee_shown(&browser).await, marc.display_name, "a case routed during the absence did not go to the substitute");
        sign_in_as(&browser, &app, marc.login.as_str()).await;
        browser.goto(&app.url("/boite")).await;
        let mine = inbox_case_ids(&browser).await;
        assert!(mine.contains(&before_absence) && mine.contains(&during_absence), "Marc's inbox: {mine:?}");
    });
}

#[test]
fn a_sector_manager_designates_respondents_and_the_csv_export_matches_the_page() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let julie = crate::people::ensure_user(&app, Role::Respondent, Some("Julie Bouchard")).await;
        let marc = ensure_person(&app, Role::Respondent, "e2e-respondent-2", "Marc Lévesque").await;
        let sophie = ensure_person(&app, Role::Respondent, "e2e-respondent-3", "Sophie \"Sof\" Gagné, =SOMME(A1)").await;

        browser.sign_in(&app, Role::SectorManager).await;
        browser.goto(&app.url("/repondants")).await;
        assert!(browser.page_text().await.contains("Aucun"), "a fresh organisation already lists designations");
        let designations = [
            ("dgfef-evaluation", "dgfef", &julie, Some(&marc)),
            ("drh-dotation", "drh", &sophie, None),
        ];
        for (unit, sector, respondent, substitute) in designations {
            browser.type_into(&browser.field("Unité").await, unit).await;
            browser.select(&browser.field("Secteur").await, sector).await;
            select_containing(&browser, "Répondant", &respondent.display_name).await;
            match substitute {
                Some(substitute) => select_containing(&browser, "Substitut", &substitute.display_name).await,
                None => browser.select(&browser.field("Substitut").await, "").await,
            }
            browser.press("Enregistrer la désignation").await;
            assert!(!flash(&browser).await.is_empty(), "no confirmation after designating {unit}");
        }
        browser.assert_accessible("the respondents page with designations").await;

        // The table shows each unit with its sector's name, respondent and substitute.
        let rows = table_rows(&browser, "unites").await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        let profile = Profile::preset("mamh").unwrap();
        let sector_name = |id: &str| profile.sectors().iter().find(|sector| sector.id == id).unwrap().name.clone();
        let evaluation = rows.iter().find(|row| row[0] == "dgfef-evaluation").unwrap_or_else(|| panic!("{rows:?}"));
        assert_eq!(evaluation[1], sector_name("dgfef"));
        assert_eq!(evaluation[2], format!("{} ({})", julie.display_name, julie.login.as_str()));
        assert_eq!(evaluation[3], format!("{} ({})", marc.display_name, marc.login.as_str()));
        let staffing = rows.iter().find(|row| row[0] == "drh-dotation").unwrap_or_else(|| panic!("{rows:?}"));
        assert_eq!(staffing[2], format!("{} ({})", sophie.display_name, sophie.login.as_str()));

        // The export link downloads the same list as CSV, formulas neutralised.
        let href = browser.execute("return document.querySelector('a[download][href*=\"csv\"]')?.href ?? null;", vec![]).await;
        let href = href.as_str().expect("an export link on the respondents page").to_owned();
        let (status, content_type, body) = fetch_text(&browser, &href).await;
        assert_eq!(status, 200, "{body}");
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let records = parse_csv(&body);
        assert_eq!(records[0], ["unite", "secteur", "repondant", "nom_repondant", "substitut", "nom_substitut"]);
        assert_eq!(records.len(), 1 + rows.len(), "{body}");
        let line = |unit: &str| records.iter().find(|record| record[0] == unit).unwrap_or_else(|| panic!("no {unit} in {body}")).clone();
        assert_eq!(
            line("dgfef-evaluation"),
            [
                "dgfef-evaluation".to_owned(),
                sector_name("dgfef"),
                julie.login.as_str().to_owned(),
                julie.display_name.clone(),
                marc.login.as_str().to_owned(),
                marc.display_name.clone()
            ]
        );
        let staffing_line = line("drh-dotation");
        assert_eq!(staffing_line[2], sophie.login.as_str());
        assert!(staffing_line[4].is_empty() && staffing_line[5].is_empty(), "{staffing_line:?}");
        // A name a spreadsheet would read as a formula keeps its words, made inert.
        assert!(staffing_line[3].contains("SOMME(A1)") && !staffing_line[3].starts_with('='), "{staffing_line:?}");
        assert!(staffing_line[3].contains("\"Sof\""), "{staffing_line:?}");

        // A respondent may not designate: no form, and a direct post is refused.
        browser.sign_in(&app, Role::Respondent).await;
        browser.goto(&app.url("/repondants")).await;
        assert!(browser.find_all("form[action='/repondants/designation']").await.is_empty());
        let fields = json!({ "unit": "drh-dotation", "sector": "drh", "respondent": julie.id.get().to_string(), "substitute": "" });
        assert_eq!(post_from_page(&browser, "/repondants/designation", fields).await, 403);
    });
}

#[test]
fn inbox_filters_narrow_the_rows_and_keyboard_shortcuts_move_and_open() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let week_ago = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * 8)).unwrap();
        let old = receive_at(&app, week_ago, &[incoming("e2e-vieux", "citoyen-v", "Gilles Roy", "Bonjour, quand ouvre le bureau régional de Rimouski?")]).await[0];
        let cases = receive_now(
            &app,
            &[
                Incoming {
                    id: "e2e-x",
                    network: "x",
                    account: "@MAMH_Quebec",
                    author: "citoyen-x",
                    name: "Nadia Côté",
                    text: "Est-ce que le programme d'aide aux sinistrés couvre les chalets?",
                },
                incoming("e2e-menace", "citoyen-m", "Anonyme", "Je vais faire sauter l'édifice du ministère demain matin."),
                incoming("e2e-injure", "citoyen-i", "Jean Gagnon", "Gang d'osties d'incompétents, vous êtes juste des câlisses de voleurs!"),
                incoming("e2e-brouillon", "citoyen-b", "Marie Tremblay", "Merci pour la séance d'information, quand aura lieu la prochaine?"),
                // Its subject names a sector: triage suggests the DGFEF's respondent.
                incoming("e2e-fiscalite", "citoyen-f", "Paul Roy", "Comment contester l'évaluation foncière de ma maison?"),
            ],
        )
        .await;
        let (on_x, threat, abusive, drafted, fiscal) = (cases[0], cases[1], cases[2], cases[3], cases[4]);

        // A reply draft puts one case in progress.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{drafted}"))).await;
        browser.type_into(&browser.field("Préparer la réponse (modifiable)").await, "Bonjour Marie, la prochaine séance est en janvier.").await;
        browser.press("Préparer le brouillon").await;

        browser.goto(&app.url("/boite")).await;
        let all = inbox_case_ids(&browser).await;
        for case in [old, on_x, threat, abusive, drafted, fiscal] {
            assert!(all.contains(&case), "case {case} is not in the unfiltered inbox: {all:?}");
        }

        // A person routes the question on X to the DGFEF's respondent by hand: the sector
        // filter follows the route decided, not only the suggestion.
        let by = domain::audit::Attribution::by(domain::audit::Actor::User(Login::parse("e2e-routing").unwrap()));
        app.store
            .change_route(&by, domain::entities::CaseId::new(on_x), "respondent:dgfef", &store::case_actions::RouteReplan::default())
            .await
            .unwrap();

        // Each filter, chosen in the form and applied, narrows the rows and stays chosen.
        struct FilterCase {
            label: &'static str,
            id: &'static str,
            value: &'static str,
            expected: Vec<i64>,
            excluded: Vec<i64>,
        }
        let filters = [
            FilterCase { label: "Réseau", id: "f-reseau", value: "x", expected: vec![on_x], excluded: vec![old, threat, abusive, drafted, fiscal] },
            FilterCase { label: "Acheminement", id: "f-acheminement", value: "urgent", expected: vec![threat], excluded: vec![old, on_x, abusive, drafted] },
            FilterCase { label: "Catégorie", id: "f-categorie", value: "abusive", expected: vec![abusive], excluded: vec![old, on_x, drafted] },
            FilterCase { label: "Statut", id: "f-statut", value: "in_progress", expected: vec![drafted], excluded: vec![old, on_x, threat, abusive, fiscal] },
            FilterCase { label: "Secteur", id: "f-secteur", value: "dgfef", expected: vec![fiscal, on_x], excluded: vec![old, threat, abusive, drafted] },
        ];
        for filter in &filters {
            browser.goto(&app.url("/boite")).await;
            browser.select(&browser.field(filter.label).await, filter.value).await;
            browser.press("Filtrer").await;
            let shown = inbox_case_ids(&browser).await;
            for case in &filter.expected {
                assert!(shown.contains(case), "filter {}={}: case {case} missing from {shown:?}", filter.id, filter.value);
            }
            for case in &filter.excluded {
                assert!(!shown.contains(case), "filter {}={}: case {case} shown in {shown:?}", filter.id, filter.value);
            }
            let kept = browser.execute("return document.getElementById(arguments[0]).value;", vec![json!(filter.id)]).await;
            assert_eq!(kept, json!(filter.value), "the filter {} did not keep its value", filter.id);
        }

        // Overdue only: the week-old question, past its first-response deadline.
        browser.goto(&app.url("/boite")).await;
        browser.click(&browser.field("En retard seulement").await).await;
        browser.press("Filtrer").await;
        let shown = inbox_case_ids(&browser).await;
        assert!(shown.contains(&old), "the overdue case is missing: {shown:?}");
        for case in [on_x, abusive, drafted] {
            assert!(!shown.contains(&case), "case {case} is not overdue but shown: {shown:?}");
        }
        assert_eq!(browser.execute("return document.getElementById('f-retard').checked;", vec![]).await, json!(true));
        assert!(browser.current_url().await.contains("en_retard=1"));

        // Two filters at once, then the link that clears them.
        browser.select(&browser.field("Réseau").await, "facebook").await;
        browser.press("Filtrer").await;
        assert!(inbox_case_ids(&browser).await.contains(&old));
        assert_eq!(browser.execute("return document.getElementById('f-reseau').value;", vec![]).await, json!("facebook"));
        browser.press("Effacer les filtres").await;
        assert_eq!(inbox_case_ids(&browser).await.len(), all.len());

        // Keyboard: j and k move the focus between rows, o opens the focused one, ? shows help.
        browser.goto(&app.url("/boite")).await;
        wait_until(&browser, "return !document.getElementById('aide-clavier-bouton').hidden;", "the shortcuts script ran").await;
        let focused = "const a = document.activeElement; return a && a.matches('a[data-open]') ? Number(new URL(a.href).pathname.split('/').pop()) : null;";
        let rows = inbox_case_ids(&browser).await;
        assert!(rows.len() >= 3, "{rows:?}");
        press_key(&browser, "j").await;
        assert_eq!(browser.execute(focused, vec![]).await, json!(rows[0]), "j did not focus the first row");
        press_key(&browser, "j").await;
        press_key(&browser, "j").await;
        assert_eq!(browser.execute(focused, vec![]).await, json!(rows[2]), "j did not move to the third row");
        press_key(&browser, "k").await;
        assert_eq!(browser.execute(focused, vec![]).await, json!(rows[1]), "k did not move back");
        let current = browser.execute("return document.querySelector('li.courant a[data-open]')?.href ?? null;", vec![]).await;
        assert!(current.as_str().is_some_and(|href| href.ends_with(&format!("/cas/{}", rows[1]))), "the current row is not marked: {current}");
        press_key(&browser, "?").await;
        assert_eq!(browser.execute("return document.getElementById('aide-clavier').open;", vec![]).await, json!(true), "? did not open the help");
        let help = text_at(&browser, "#aide-clavier").await;
        assert!(help.contains('j') && help.contains('k') && help.contains('o'), "{help}");
        press_key(&browser, "?").await;
        assert_eq!(browser.execute("return document.getElementById('aide-clavier').open;", vec![]).await, json!(false));
        browser.execute("window.__balise_previous_page = true;", vec![]).await;
        press_key(&browser, "o").await;
        wait_until(&browser, "return !window.__balise_previous_page && document.readyState === 'complete';", "o opened a case").await;
        assert!(browser.current_url().await.ends_with(&format!("/cas/{}", rows[1])), "o opened {}", browser.current_url().await);

        // Typing in a field does not trigger the shortcuts.
        browser.goto(&app.url("/boite")).await;
        wait_until(&browser, "return !document.getElementById('aide-clavier-bouton').hidden;", "the shortcuts script ran").await;
        browser.click(&browser.field("Réseau").await).await;
        press_key(&browser, "j").await;
        assert_eq!(browser.execute(focused, vec![]).await, Value::Null, "j moved the focus while a field had it");
    });
}

#[test]
fn the_commitments_page_charts_and_tables_and_the_audit_search_finds_an_entry() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let week_ago = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * 8)).unwrap();
        let overdue = receive_at(
            &app,
            week_ago,
            &[
                incoming("e2e-retard-1", "citoyen-1", "Gilles Roy", "Bonjour, quand ouvre le bureau régional de Rimouski?"),
                incoming("e2e-retard-2", "citoyen-2", "Lise Roy", "Quel est le délai pour une demande d'aide financière?"),
            ],
        )
        .await;
        let recent = receive_now(&app, &[incoming("e2e-recent", "citoyen-3", "Paul Roy", "Où trouver le formulaire de subvention?")]).await[0];

        // The commitments: an SVG chart with a title and a bar per row, and the same rows in
        // the table, where the week-old cases count as open past their deadline.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url("/engagements")).await;
        let chart = browser
            .execute(
                r#"const svg = document.querySelector('figure.chart svg[role=img]');
                   if (!svg) return null;
                   return { title: svg.querySelector('title')?.textContent ?? '', bars: svg.querySelectorAll('g').length,
                            labelled: (svg.getAttribute('aria-labelledby') || '').split(' ').every(id => document.getElementById(id)) };"#,
                vec![],
            )
            .await;
        assert!(chart.is_object(), "no SVG chart on the commitments page: {}", browser.visible_text().await);
        assert!(!chart["title"].as_str().unwrap().is_empty() && chart["labelled"] == json!(true), "{chart}");
        let rows = table_rows(&browser, "tableau-titre").await;
        assert!(!rows.is_empty(), "no row in the commitments table");
        assert_eq!(chart["bars"].as_u64().unwrap() as usize, rows.len().min(40), "a bar per row: {chart} vs {rows:?}");
        let counted: u64 = rows.iter().map(|row| row[3].parse::<u64>().unwrap()).max().unwrap();
        assert!(counted >= 2, "the two week-old cases are not counted: {rows:?}");
        let open_overdue: u64 = rows.iter().map(|row| row[6].parse::<u64>().unwrap()).sum();
        assert!(open_overdue >= 2, "the week-old cases are not open past their deadline: {rows:?}");
        let csv = browser.execute("return document.querySelector('a[download][href*=\"csv\"]')?.href ?? null;", vec![]).await;
        let (status, content_type, body) = fetch_text(&browser, csv.as_str().expect("a CSV export link")).await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        assert_eq!(parse_csv(&body).len(), 1 + rows.len(), "the CSV does not have the table's rows: {body}");

        // An action to find in the log: the recent case hidden under a clause.
        browser.goto(&app.url(&format!("/cas/{recent}"))).await;
        browser.press("Masquer le commentaire").await;

        // The audit log, searched by actor, action and entity kind: the entry is found, the
        // chain intact.
        browser.sign_in(&app, Role::CommunicationsManager).await;
        browser.goto(&app.url("/journal")).await;
        let status = text_at(&browser, ".verification").await;
        assert!(status.contains("Chaîne intègre."), "chain status: {status}");
        let manager = crate::people::login_of(Role::CommunityManager);
        browser.type_into(&browser.field("Acteur").await, &manager).await;
        browser.type_into(&browser.field("Action").await, "message_hide_decided").await;
        browser.select(&browser.field("Type d'entité").await, "message").await;
        browser.press("Filtrer").await;
        let entries = table_rows(&browser, "entrees-titre").await;
        assert!(!entries.is_empty(), "the search found nothing: {}", browser.visible_text().await);
        assert!(
            entries.iter().all(|entry| entry[3] == "message_hide_decided" && entry[2].contains(&manager) && entry[4].starts_with("message")),
            "the search shows other entries: {entries:?}"
        );
        // One comment was hidden; its change is withheld from a role without
        // `read_personal_info` (the communications manager's).
        assert_eq!(entries.len(), 1, "one hide was decided: {entries:?}");
        assert_eq!(browser.execute("return document.getElementById('j-action').value;", vec![]).await, json!("message_hide_decided"));
        assert_eq!(browser.execute("return document.getElementById('j-entite').value;", vec![]).await, json!("message"));
        assert!(text_at(&browser, ".verification").await.contains("Chaîne intègre."));

        // Nobody else hid anything: the same search for another actor finds nothing.
        browser.type_into(&browser.field("Acteur").await, &crate::people::login_of(Role::Director)).await;
        browser.press("Filtrer").await;
        assert!(table_rows(&browser, "entrees-titre").await.is_empty());
        assert!(browser.page_text().await.contains("Aucune entrée ne correspond."));

        // The week-old cases' entries are found by entity: the case's id.
        browser.goto(&app.url("/journal")).await;
        browser.select(&browser.field("Type d'entité").await, "case").await;
        browser.type_into(&browser.field("Identifiant de l'entité").await, &overdue[0].to_string()).await;
        browser.press("Filtrer").await;
        let entries = table_rows(&browser, "entrees-titre").await;
        assert!(!entries.is_empty(), "no entry for case {}", overdue[0]);
        assert!(entries.iter().all(|entry| entry[4] == format!("case {}", overdue[0])), "{entries:?}");

        // Someone without `read_audit` is refused the log.
        browser.sign_in(&app, Role::CommunityManager).await;
        assert_eq!(browser.status_of(&app.url("/journal")).await, 403);
    });
}

#[test]
fn personal_information_is_masked_for_respondents_and_directors_but_not_community_managers() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let respondent = crate::people::ensure_user(&app, Role::Respondent, Some("Julie Bouchard")).await;
        let phone = "(418) 555-1234";
        let email = "jean.tremblay@gmail.com";
        let text = format!("Bonjour, ma demande de subvention est bloquée. Appelez-moi au {phone} ou écrivez-moi: {email}");
        let case = receive_now(&app, &[incoming("e2e-renseignements", "citoyen-p", "Jean Tremblay", &text)]).await[0];

        // The community manager reads the number and the address, and assigns the case.
        browser.sign_in(&app, Role::CommunityManager).await;
        browser.goto(&app.url(&format!("/cas/{case}"))).await;
        let citizen = browser.citizen_texts().await;
        assert!(citizen.first().is_some_and(|shown| shown == &text), "the community manager does not read the words unedited: {citizen:?}");
        assert!(!browser.page_text().await.contains("masqués (•)"), "masked notice shown to a role that reads personal information");
        select_containing(&browser, "Assigner ou transférer à", &respondent.display_name).await;
        browser.press("Assigner").await;

        // The respondent (on the case assigned to them) and the director (on the case and in
        // the inbox) read it masked: neither the number nor the address is in the page.
        for (role, path) in [
            (Role::Respondent, format!("/cas/{case}")),
            (Role::Respondent, "/boite".to_owned()),
            (Role::Director, format!("/cas/{case}")),
            (Role::Director, "/boite".to_owned()),
        ] {
            browser.sign_in(&app, role).await;
            browser.goto(&app.url(&path)).await;
            let page = browser.page_text().await;
            assert!(page.contains("Bonjour, ma demande de subvention est bloquée."), "{path} as {}: the message is not shown", role.id());
            for secret in [phone, "555-1234", email, "jean.tremblay"] {
                assert!(!page.contains(secret), "{path} as {}: « {secret} » is readable", role.id());
            }
            let html = browser.execute("return document.documentElement.outerHTML;", vec![]).await;
            assert!(!html.as_str().unwrap().contains("555-1234"), "{path} as {}: the number is in the HTML", role.id());
            assert!(page.contains("••••"), "{path} as {}: no masked span", role.id());
            assert!(page.contains("Les renseignements personnels sont masqués (•) pour votre rôle."), "{path} as {}: no notice", role.id());
        }
        browser.assert_accessible("a case with masked personal information").await;
    });
}
