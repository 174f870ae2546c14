//! Inbox load benchmark (issue 5: `/boite` stays under 100 ms at the 95th percentile with one
//! million stored messages).
//!
//! ```text
//! cargo run --release -p web --example inbox_load -- [MESSAGES] [CONCURRENCY] [REQUESTS] [DATABASE]
//! ```
//!
//! Fills a SQLite database with MESSAGES messages (default 1 000 000) on four accounts of
//! four networks, each with its verdict, triage suggestion, deadlines and open case, through
//! the store's batch insert and intake recording (the same transactions, audit entries and
//! triggers as production). Then starts the real application on loopback, signs in through
//! `POST /connexion` as a community manager, and fires REQUESTS (default 2 000) `GET /boite`
//! per scenario from CONCURRENCY (default 8) concurrent clients, printing p50, p95 and p99.
//! With DATABASE (a file path) the database is kept and reused when it already holds the
//! messages, so a rerun measures without refilling.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::audit::{Actor, Attribution};
use domain::entities::{
    AccountHandle, Author, ExternalId, Login, MessageKind, Network, NewAccount, NewMessage, NewUser, Organisation,
    OrganisationId, ProfileId, RoleId,
};
use domain::profile::Profile;
use store::MessageInsertion;
use store::intake::{CaseIntake, DeadlineRecord, IntakeResult, StageDeadline, SuggestionRecord, VerdictRecord};

const BATCH: usize = 5_000;
const PASSWORD: &str = "banc-d-essai-boite-2026";

const TEXTS: [&str; 6] = [
    "Bonjour, quand est-ce que le programme d'aide financière aux municipalités ouvre cette année?",
    "Merci pour l'information, c'est très apprécié!",
    "Le lien vers le formulaire ne fonctionne plus depuis ce matin.",
    "Vous êtes une bande d'incompétents, appelez-moi au 418-555-0199, ça fait trois mois que j'attends.",
    "Est-ce que ma municipalité peut demander une subvention pour refaire le parc?",
    "Pourquoi le ministère n'a-t-il pas consulté les citoyens de la région avant de décider?",
];

const ROUTES: [(&str, &str, Option<&str>); 6] = [
    ("ask_precision", "ask_precision", None),
    ("positive", "positive", None),
    ("communications", "communications", None),
    ("netiquette", "netiquette", None),
    ("respondent:dcom", "respondent", Some("dcom")),
    ("usual_process:complaint", "usual_process", Some("complaint")),
];

fn system() -> Attribution {
    Attribution::by(Actor::system("bench").unwrap())
}

fn char_span(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).unwrap();
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

async fn fill(store: &store::Store, total: usize) {
    let organisation_id = OrganisationId::parse("mamh").unwrap();
    let profile = Profile::preset("mamh").unwrap();
    store
        .upsert_organisation(
            &system(),
            &Organisation { id: organisation_id.clone(), name: profile.identity().name.clone(), profile_id: ProfileId::parse("mamh").unwrap() },
        )
        .await
        .unwrap();
    let mut accounts = Vec::new();
    for network in ["facebook", "x", "instagram", "linkedin"] {
        let account = NewAccount {
            organisation_id: organisation_id.clone(),
            network: Network::parse(network).unwrap(),
            handle: AccountHandle::parse("@MAMHQuebec").unwrap(),
        };
        accounts.push(store.add_account(&system(), &account).await.unwrap());
    }
    let now = jiff::Timestamp::now();
    let insult = char_span(TEXTS[3], "incompétents");
    let phone = char_span(TEXTS[3], "418-555-0199");
    let started = Instant::now();
    let mut done = 0;
    while done < total {
        let count = BATCH.min(total - done);
        let batch: Vec<NewMessage> = (done..done + count)
            .map(|index| {
                let account = &accounts[index % accounts.len()];
                NewMessage {
                    network: account.network.clone(),
                    account_id: account.id,
                    external_id: ExternalId::parse(&format!("m-{index}")).unwrap(),
                    thread: Some(ExternalId::parse(&format!("post-{}", index % 500)).unwrap()),
                    author: Author {
                        external_id: ExternalId::parse(&format!("u-{}", index % 50_000)).unwrap(),
                        display_name: format!("Personne {}", index % 50_000),
                    },
                    text: TEXTS[index % TEXTS.len()].to_owned(),
                    kind: MessageKind::Comment,
                    // Received over the last 60 days.
                    received_at: now - jiff::SignedDuration::from_secs(((index * 5_184) % 5_184_000) as i64),
                }
            })
            .collect();
        let outcomes = store.insert_messages(&system(), &batch).await.unwrap();
        let results: Vec<IntakeResult> = outcomes
            .iter()
            .zip(done..done + count)
            .filter_map(|(outcome, index)| match outcome {
                MessageInsertion::New(id) => Some((*id, index)),
                MessageInsertion::AlreadyStored => None,
            })
            .map(|(message_id, index)| {
                let hostile = index % TEXTS.len() == 3;
                let urgent = index % 997 == 0;
                let (route, family, target) = if urgent { ("urgent", "urgent", None) } else { ROUTES[index % ROUTES.len()] };
                // Deadlines from 30 days ago to 30 days ahead: some overdue, most running.
                let due = now + jiff::SignedDuration::from_secs((((index * 7_919) % 5_184_000) as i64) - 2_592_000);
                let evidence = if hostile {
                    serde_json::json!([
                        {"category": "abusive", "start": insult.0, "end": insult.1, "matched": "incompétents"},
                        {"category": "personal_info", "start": phone.0, "end": phone.1, "matched": "418-555-0199"},
                    ])
                } else {
                    serde_json::json!([])
                };
                IntakeResult::Processed {
                    message_id,
                    verdict: VerdictRecord {
                        action: if hostile { "hide".into() } else { "publish".into() },
                        categories: if hostile { vec!["abusive".into(), "personal_info".into()] } else { vec![] },
                        urgent: urgent.then(|| "threat".to_owned()),
                        clauses: if hostile { vec!["mamh-injurieux".into()] } else { vec![] },
                        evidence_json: evidence.to_string(),
                        language: "fr".into(),
                        explanation: "Explication du banc d'essai.".into(),
                        substance_remains: !hostile,
                        engine_version: "bench".into(),
                    },
                    verdict_rule: None,
                    case: Some(CaseIntake {
                        suggestion: SuggestionRecord {
                            route: route.into(),
                            route_family: family.into(),
                            target_id: target.map(str::to_owned),
                            reasons_json: r#"[{"code":"bench","text_fr":"Banc d'essai."}]"#.into(),
                            alternatives_json: "[]".into(),
                            reply_expected: true,
                            suggested_page_json: None,
                        },
                        suggestion_rule: None,
                        deadlines: Some(DeadlineRecord {
                            commitment_id: "first_response".into(),
                            clock_start: due - jiff::SignedDuration::from_hours(8),
                            stages: vec![StageDeadline {
                                stage: "triage".into(),
                                starts: due - jiff::SignedDuration::from_hours(8),
                                planned_due: due,
                                ended_at: None,
                            }],
                            first_response_due: due,
                            committed_due: due,
                        }),
                    }),
                }
            })
            .collect();
        store.record_intake(&system(), &results).await.unwrap();
        done += count;
        if done % 100_000 == 0 || done == total {
            println!("filled {done} messages and cases in {:.0} s", started.elapsed().as_secs_f64());
        }
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

async fn load(client: &reqwest::Client, url: &str, concurrency: usize, requests: usize) -> Vec<Duration> {
    let url = Arc::new(url.to_owned());
    let per_worker = requests.div_ceil(concurrency);
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let url = Arc::clone(&url);
        workers.push(tokio::spawn(async move {
            let mut timings = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let started = Instant::now();
                let response = client.get(url.as_str()).send().await.unwrap();
                assert_eq!(response.status().as_u16(), 200, "{url}");
                let body = response.bytes().await.unwrap();
                timings.push(started.elapsed());
                assert!(body.len() > 1_000);
            }
            timings
        }));
    }
    let mut timings = Vec::new();
    for worker in workers {
        timings.extend(worker.await.unwrap());
    }
    timings.sort();
    timings
}

#[tokio::main]
async fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let total: usize = arguments.first().map_or(1_000_000, |value| value.parse().unwrap());
    let concurrency: usize = arguments.get(1).map_or(8, |value| value.parse().unwrap());
    let requests: usize = arguments.get(2).map_or(2_000, |value| value.parse().unwrap());
    let kept = arguments.get(3).map(std::path::PathBuf::from);

    let directory = tempfile::tempdir().unwrap();
    let path = kept.clone().unwrap_or_else(|| directory.path().join("inbox.sqlite3"));
    let store = store::Store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let stored = store.count_messages().await.unwrap();
    if stored < total as u64 {
        assert_eq!(stored, 0, "{} holds {stored} messages, fewer than {total}: use a new file", path.display());
        fill(&store, total).await;
    } else {
        println!("reusing {} ({stored} messages)", path.display());
    }

    let login = Login::parse("banc.gestionnaire").unwrap();
    if store.get_user_by_login(&login).await.unwrap().is_none() {
        let password = web::auth::password::NewPassword::parse(PASSWORD).unwrap();
        let user = NewUser {
            organisation_id: OrganisationId::parse("mamh").unwrap(),
            login: login.clone(),
            display_name: "Gestionnaire du banc d'essai".into(),
            role: RoleId::parse("community_manager").unwrap(),
            password_hash: web::auth::password::hash_password_blocking(password).await.unwrap(),
        };
        store.add_user(&system(), &user).await.unwrap();
    }

    let profile = Arc::new(Profile::preset("mamh").unwrap());
    let state = web::AppState::new(store.clone(), vec![web::OrganisationEntry { id: "mamh".into(), profile }]);
    let application = web::Application::build("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
    let address = application.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));

    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = raw
        .post(format!("http://{address}/connexion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("login", login.as_str()), ("password", PASSWORD)]).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "sign-in refused");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(concurrency).build().unwrap();

    // The second page starts after the first one's last row.
    let first = client.get(format!("http://{address}/boite")).send().await.unwrap().text().await.unwrap();
    let next = first
        .split("href=\"")
        .find(|piece| piece.starts_with("/boite?apres="))
        .and_then(|piece| piece.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let scenarios = [
        ("first page", "/boite".to_owned()),
        ("second page (keyset)", next),
        ("network filter", "/boite?reseau=x".to_owned()),
        ("overdue only", "/boite?en_retard=1".to_owned()),
        ("category filter", "/boite?categorie=abusive".to_owned()),
        ("route filter", "/boite?acheminement=respondent".to_owned()),
    ];
    println!(
        "GET /boite: {} messages stored, {concurrency} concurrent clients, {requests} requests per scenario, SQLite, loopback",
        store.count_messages().await.unwrap()
    );
    for (name, path) in scenarios {
        let url = format!("http://{address}{path}");
        load(&client, &url, concurrency, concurrency * 5).await;
        let started = Instant::now();
        let timings = load(&client, &url, concurrency, requests).await;
        let elapsed = started.elapsed();
        println!(
            "{name:<22} p50 {:>6.1} ms  p95 {:>6.1} ms  p99 {:>6.1} ms  ({:.0} requests/s)",
            percentile(&timings, 0.50).as_secs_f64() * 1_000.0,
            percentile(&timings, 0.95).as_secs_f64() * 1_000.0,
            percentile(&timings, 0.99).as_secs_f64() * 1_000.0,
            timings.len() as f64 / elapsed.as_secs_f64(),
        );
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
