//! Screenshots of the main pages, with the demo messages loaded through the real intake.
//! Always taken (into `target/tmp/e2e-screenshots/`, and checked to be PNG images of the page);
//! with `BALISE_SCREENSHOTS=1` they are also written to `docs/screenshots/`, where the
//! README shows them.

#![allow(dead_code)] // `signed_in_as` serves the rows of pages behind sign-in.

use crate::harness::browser_test;
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
    let response = app.client.post(app.url("/api/v1/messages")).json(&batch).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    assert!(results.iter().all(|result| result["status"] == "stored"), "{body}");
    results.len()
}

/// A page to photograph: the file name (without `.png`), the path, and who is signed in.
pub struct Shot {
    pub name: &'static str,
    pub path: &'static str,
    pub signed_in_as: Option<&'static str>,
}

pub const SHOTS: &[Shot] = &[
    Shot { name: "accueil", path: "/", signed_in_as: None },
    Shot { name: "organisation-mamh", path: "/organisations/mamh", signed_in_as: None },
];

#[test]
fn screenshots_of_the_main_pages() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        assert!(load_demo_messages(&app).await >= 10);
        for shot in SHOTS {
            browser.goto(&app.url(shot.path)).await;
            let png = browser.screenshot(shot.name).await;
            // A real page, not a blank one: a 1280-wide PNG of some size.
            assert_eq!(&png[16..20], &1280u32.to_be_bytes(), "{}: width", shot.name);
            assert!(png.len() > 10_000, "{}: {} bytes is a blank page", shot.name, png.len());
        }
    });
}
