//! The XSS and injection corpus (`xss_payloads.txt`) sent through the real path — `POST
//! /api/v1/messages`, the intake, the store — as a citizen's words, display name, author id
//! and thread id, then read back: the JSON API returns every one unchanged, and in Chromium
//! the pages that show messages run none of them (no `__xss` global set, no dialog, no
//! injected script, handler or `javascript:` URL) and show each one literally — citizens'
//! words are never edited, so escaping must keep them, not drop them.

use crate::harness::{Browser, browser_test};
use domain::profile::Role;
use serde_json::{Value, json};

/// The corpus, one payload per non-comment line (JSON string literals), plus one very long
/// payload made of the first.
pub fn payloads() -> Vec<String> {
    let mut payloads: Vec<String> = include_str!("xss_payloads.txt")
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .enumerate()
        .map(|(index, line)| {
            serde_json::from_str(line).unwrap_or_else(|error| panic!("xss_payloads.txt, payload {}: {error}", index + 1))
        })
        .collect();
    assert!(payloads.len() >= 40, "the corpus has {} payloads", payloads.len());
    let long = format!("{} — fin.", payloads[0].repeat(100_000 / payloads[0].len() - 1));
    assert!(long.len() > 90_000 && long.chars().count() <= 100_000);
    payloads.push(long);
    payloads
}

/// What a message record looks like when the payload is in the text and the display name.
fn record_with_text(index: usize, payload: &str) -> Value {
    json!({
        "network": "facebook", "account": "@MAMHQuebec", "external_id": format!("xss-text-{index}"),
        // Threads of at most 17 messages: a case page shows up to 20 of its thread, so three
        // case pages show every payload.
        "thread": format!("publication-xss-{}", index / 17), "author": format!("citoyen-xss-{index}"), "author_name": payload,
        "text": payload, "kind": "comment", "received_at": "2026-11-16T10:00:00-05:00",
    })
}

/// The payload as author id and thread id (identifiers refuse control characters and more
/// than 256 characters: such payloads must be refused with the field named, never altered).
fn record_with_identifiers(index: usize, payload: &str) -> Value {
    json!({
        "network": "facebook", "account": "@MAMHQuebec", "external_id": format!("xss-id-{index}"),
        "thread": payload, "author": payload, "author_name": "Citoyenne Test",
        "text": "Quand ouvre le bureau régional?", "kind": "comment", "received_at": "2026-11-16T10:05:00-05:00",
    })
}

/// Posts the whole corpus; returns the number of messages stored.
pub async fn post_corpus(app: &testkit::TestApp, payloads: &[String]) -> usize {
    let mut batch: Vec<Value> = payloads.iter().enumerate().map(|(index, payload)| record_with_text(index, payload)).collect();
    batch.extend(payloads.iter().enumerate().map(|(index, payload)| record_with_identifiers(index, payload)));
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let response = client.post(app.url("/api/v1/messages")).json(&batch).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), batch.len());
    let mut stored = 0;
    for (index, result) in results.iter().enumerate() {
        let payload = &payloads[index % payloads.len()];
        if index < payloads.len() {
            assert_eq!(result["status"], "stored", "the text « {payload:.80} » was not stored: {result}");
        } else if result["status"] == "refused" {
            let identifier_is_invalid = payload.chars().any(char::is_control) || payload.chars().count() > 256;
            assert!(identifier_is_invalid, "a valid identifier « {payload:.80} » was refused: {result}");
            assert!(["thread", "author"].contains(&result["error"]["field"].as_str().unwrap()), "{result}");
            assert!(!result["error"]["message"].as_str().unwrap().is_empty());
            continue;
        } else {
            assert_eq!(result["status"], "stored", "{result}");
        }
        stored += 1;
    }
    stored
}

/// All the organisation's messages from the JSON API.
pub async fn messages_from_api(app: &testkit::TestApp) -> Vec<Value> {
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let mut messages = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = client
            .get(app.url(&format!("/api/v1/organisations/mamh/messages?after={after}&limit=500")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else { break };
        after = last["id"].as_i64().unwrap();
        messages.extend(page);
    }
    messages
}

#[tokio::test]
async fn the_json_api_returns_every_payload_unchanged() {
    let app = testkit::spawn_app(&["mamh"]).await;
    let payloads = payloads();
    let stored = post_corpus(&app, &payloads).await;
    let messages = messages_from_api(&app).await;
    assert_eq!(messages.len(), stored);
    for (index, payload) in payloads.iter().enumerate() {
        let message = messages.iter().find(|message| message["external_id"] == format!("xss-text-{index}")).unwrap();
        assert_eq!(message["text"].as_str().unwrap(), payload, "text of payload {index}");
        assert_eq!(message["author"].as_str().unwrap(), payload, "display name of payload {index}");
        if let Some(message) = messages.iter().find(|message| message["external_id"] == format!("xss-id-{index}")) {
            assert_eq!(message["thread"].as_str().unwrap(), payload, "thread of payload {index}");
        }
    }
}

/// What the page ran or grew that it should not have: globals set by a payload, an open
/// dialog, script elements, event handlers and dangerous URLs carrying a payload.
pub async fn injected_behaviour(browser: &Browser) -> Vec<String> {
    // Error and focus handlers fire after the load event: give them time to.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Some(text) = browser.open_dialog().await {
        browser.dismiss_dialog().await;
        return vec![format!("a dialog opened: « {text} »")];
    }
    let found = browser
        .execute(
            r#"const hits = [];
               if (window.__xss_hit) hits.push('window.__xss_hit was set');
               if (document.title.includes('__xss')) hits.push('the title changed: ' + document.title);
               const dangerousUrl = /^\s*(javascript|vbscript|data)\s*:/i;
               for (const e of document.querySelectorAll('*')) {
                 for (const a of e.attributes) {
                   if (a.name.startsWith('on')) hits.push(`<${e.localName} ${a.name}="${a.value.slice(0, 60)}">`);
                   if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'].includes(a.name)
                       && (dangerousUrl.test(a.value) || a.name === 'srcdoc'))
                     hits.push(`<${e.localName} ${a.name}="${a.value.slice(0, 60)}">`);
                 }
                 if (['script', 'iframe', 'object', 'embed', 'frame', 'base'].includes(e.localName) && e.outerHTML.includes('__xss'))
                   hits.push(e.outerHTML.slice(0, 80));
                 if (e.localName === 'meta' && e.httpEquiv) hits.push(e.outerHTML.slice(0, 80));
               }
               return hits;"#,
            vec![],
        )
        .await;
    found.as_array().unwrap().iter().map(|hit| hit.as_str().unwrap().to_owned()).collect()
}

/// The payload as the HTML parser hands it to the page: CR LF and CR become LF and NUL is
/// dropped (the parser's rules, not an edit by the product).
pub fn as_parsed(payload: &str) -> String {
    payload.replace("\r\n", "\n").replace('\r', "\n").replace('\0', "")
}

/// The check can fail: a page that does run a payload is caught.
#[test]
fn the_inertness_check_catches_a_payload_that_runs() {
    crate::harness::browser_test(|browser| async move {
        browser.goto("data:text/html;charset=utf-8,<!doctype html><title>t</title><img src=x onerror=window.__xss_hit=1>").await;
        let found = injected_behaviour(&browser).await;
        assert!(found.iter().any(|hit| hit.contains("__xss_hit was set")), "{found:?}");
        assert!(found.iter().any(|hit| hit.contains("onerror")), "{found:?}");
        browser.goto("data:text/html;charset=utf-8,<!doctype html><title>t</title><script>alert('__xss')</script>").await;
        let found = injected_behaviour(&browser).await;
        assert!(found.iter().any(|hit| hit.contains("dialog")), "{found:?}");
    });
}

/// Every payload in the inbox and on the case pages, seen by a community manager (who sees
/// personal information unmasked): nothing runs, every payload is shown literally, as the
/// citizen's words and as the author's name.
#[test]
fn every_payload_stays_inert_and_literal_in_the_pages() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let payloads = payloads();
        post_corpus(&app, &payloads).await;
        let messages = messages_from_api(&app).await;
        browser.sign_in(&app, Role::CommunityManager).await;

        // The inbox, page after page.
        let mut shown_in_inbox = Vec::new();
        let mut next = Some(app.url("/boite"));
        let mut pages = 0;
        while let Some(url) = next.take() {
            browser.goto(&url).await;
            pages += 1;
            let injected = injected_behaviour(&browser).await;
            assert!(injected.is_empty(), "{url}: {injected:#?}");
            shown_in_inbox.extend(browser.citizen_texts().await);
            let link = browser.execute("return document.querySelector('a[rel=next]')?.href ?? null;", vec![]).await;
            next = link.as_str().map(str::to_owned);
            assert!(pages < 10, "the inbox does not end");
        }
        let missing: Vec<&String> =
            payloads.iter().filter(|payload| !shown_in_inbox.iter().any(|shown| *shown == as_parsed(payload))).collect();
        assert!(missing.is_empty(), "not shown literally in the inbox: {missing:#?}");

        // One case page per thread: the case's message and its thread's others.
        let mut shown_in_cases = Vec::new();
        let mut bylines = String::new();
        for thread in 0..=(payloads.len() - 1) / 17 {
            let first = thread * 17;
            let message = messages.iter().find(|message| message["external_id"] == format!("xss-text-{first}")).unwrap();
            let case = message["case"]["id"].as_i64().unwrap();
            let url = app.url(&format!("/cas/{case}"));
            browser.goto(&url).await;
            let injected = injected_behaviour(&browser).await;
            assert!(injected.is_empty(), "{url}: {injected:#?}");
            shown_in_cases.extend(browser.citizen_texts().await);
            let bylines_here = browser.execute("return [...document.querySelectorAll('.byline')].map(b => b.textContent).join(String.fromCharCode(10));", vec![]).await;
            bylines.push_str(bylines_here.as_str().unwrap());
        }
        for (index, payload) in payloads.iter().enumerate() {
            let parsed = as_parsed(payload);
            assert!(shown_in_cases.contains(&parsed), "payload {index} not shown literally on its case pages: {payload:.120}");
            assert!(bylines.contains(&parsed), "payload {index} not shown as the author's name: {payload:.120}");
        }
    });
}

/// The corpus's spreadsheet formulas as the title and message of calendar entries: the CSV
/// export (Annexe 5's columns) neutralises every one with a leading apostrophe and keeps
/// the rest of the text as written.
#[tokio::test]
async fn the_calendar_csv_export_neutralises_formulas() {
    let app = testkit::spawn_app(&["mamh"]).await;
    let client = crate::people::token_client(&app, Role::CommunityManager).await;
    let formulas: Vec<String> =
        payloads().into_iter().filter(|payload| payload.starts_with(['=', '+', '-', '@', '\t'])).collect();
    assert!(formulas.len() >= 5, "{formulas:?}");
    for (index, formula) in formulas.iter().enumerate() {
        let body = json!({
            "title": formula, "scheduled_at": format!("2026-12-0{}T15:00:00Z", index + 1), "sector": "habitation",
            "variants": [{ "network": "facebook", "message": formula }],
        });
        let response = client.post(app.url("/api/v1/organisations/mamh/entries")).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
    }
    let response = client.get(app.url("/api/v1/organisations/mamh/calendar.csv")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.text().await.unwrap();
    for formula in &formulas {
        let quoted = formula.replace('"', "\"\"");
        assert!(csv.contains(&format!("\"'{quoted}")), "not neutralised in the CSV: {formula:?}");
        assert!(!csv.contains(&format!(",\"{quoted}")) && !csv.contains(&format!(",{quoted}")), "a cell starts with the formula: {formula:?}");
    }
}
