//! Screenshots of the main pages, with the demo messages loaded through the real intake.
//! Always taken (into `target/tmp/e2e-screenshots/`, and checked to be PNG images of the page);
//! with `BALISE_SCREENSHOTS=1` they are also written to `docs/screenshots/`, where the
//! README shows them.

use crate::harness::browser_test;
use domain::profile::Role;
use serde_json::Value;

/// The demo messages `balise serve --demo` loads.
const DEMO_MESSAGES: &str = include_str!("../../../balise/demo/messages.jsonl");

/// Sends the demo messages through `POST /api/v1/messages`.
pub async fn load_demo_messages(app: &testkit::TestApp) -> usize {
    let batch: Vec<Value> = DEMO_MESSAGES
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let response = client.post(app.url("/api/v1/messages")).json(&batch).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    assert!(results.iter().all(|result| result["status"] == "stored"), "{body}");
    results.len()
}

/// Calendar entries a week of a communications team could hold, scheduled on the coming
/// weekdays at 10:00 (so the month view of today shows them); returns their ids.
pub async fn load_demo_entries(app: &testkit::TestApp) -> Vec<i64> {
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let today = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("America/Toronto").unwrap()).date();
    let entries = [
        ("Inscriptions au programme d'aide aux sinistrés", "Les municipalités sinistrées peuvent s'inscrire au programme d'aide financière dès aujourd'hui.", "Programme d'aide"),
        ("Séance d'information à Rimouski", "Séance d'information sur la gestion des actifs municipaux, mardi à Rimouski. Inscription gratuite.", "Tournée régionale"),
        ("Rappel : déclaration des revenus municipaux", "Les municipalités ont jusqu'au 15 décembre pour transmettre leur déclaration.", "Échéances"),
    ];
    let mut ids = Vec::new();
    let mut day = today;
    for (title, message, campaign) in entries {
        // The next weekday: publications go out in office hours.
        day = day.tomorrow().unwrap();
        while matches!(day.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday) {
            day = day.tomorrow().unwrap();
        }
        let when = day.at(10, 0, 0, 0).in_tz("America/Toronto").unwrap().timestamp().to_string();
        let body = serde_json::json!({
            "title": title, "scheduled_at": when, "campaign": campaign, "sector": "habitation",
            "variants": [{ "network": "facebook", "message": message }],
        });
        let response = client.post(app.url("/api/v1/organisations/mamh/entries")).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
        let created: Value = response.json().await.unwrap();
        ids.push(created["id"].as_i64().unwrap());
    }
    ids
}

/// A page to photograph: the file name (without `.png`), the path (`{case}`: a demo case
/// with highlighted evidence, `{entry}`: a calendar entry), and who is signed in.
pub struct Shot {
    pub name: &'static str,
    pub path: &'static str,
    pub signed_in_as: Option<Role>,
}

const fn shot(name: &'static str, path: &'static str, signed_in_as: Option<Role>) -> Shot {
    Shot { name, path, signed_in_as }
}

pub const SHOTS: &[Shot] = &[
    shot("connexion", "/connexion", None),
    shot("boite", "/boite", Some(Role::CommunityManager)),
    shot("cas", "/cas/{case}", Some(Role::CommunityManager)),
    shot("calendrier", "/calendrier", Some(Role::CommunityManager)),
    shot("publication", "/calendrier/publications/{entry}", Some(Role::CommunityManager)),
    shot("engagements", "/engagements", Some(Role::CommunityManager)),
    shot("profil", "/profil", Some(Role::CommunityManager)),
    shot("journal", "/journal", Some(Role::CommunicationsManager)),
];

/// People with names, for the pictures.
async fn create_named_people(app: &testkit::TestApp) {
    for (role, name) in [(Role::CommunityManager, "Chloé Lavoie"), (Role::CommunicationsManager, "Marc-André Pelletier")] {
        crate::people::ensure_user(app, role, Some(name)).await;
    }
}

#[test]
fn screenshots_of_the_main_pages() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        create_named_people(&app).await;
        assert!(load_demo_messages(&app).await >= 10);
        let entry = load_demo_entries(&app).await[0];
        let case = crate::accessibility::demo_case_with_evidence(&app).await;
        let mut signed_in: Option<Option<Role>> = None;
        for shot in SHOTS {
            if signed_in != Some(shot.signed_in_as) {
                match shot.signed_in_as {
                    Some(role) => {
                        browser.sign_in(&app, role).await;
                    }
                    None => browser.forget_cookies().await,
                }
                signed_in = Some(shot.signed_in_as);
            }
            let path = shot.path.replace("{case}", &case.to_string()).replace("{entry}", &entry.to_string());
            browser.goto(&app.url(&path)).await;
            assert!(browser.current_url().await.ends_with(&path), "{}: redirected to {}", shot.name, browser.current_url().await);
            let png = browser.screenshot(shot.name).await;
            // A real page, not a blank one: a 1280-wide PNG of some size.
            assert_eq!(&png[16..20], &1280u32.to_be_bytes(), "{}: width", shot.name);
            assert!(png.len() > 10_000, "{}: {} bytes is a blank page", shot.name, png.len());
        }
    });
}
