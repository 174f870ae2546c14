//! End to end against a real SMTP server on the loopback (aiosmtpd writing a Maildir): a
//! breached case is escalated by e-mail to the sector manager and the communications
//! manager, once; the French subject and the lateness are right; hostile citizen text
//! (CRLF, a "Bcc:" line, HTML) stays in the body and adds no header.
//!
//! The server comes from `BALISE_TEST_SMTP` (`host:port`) and `BALISE_TEST_SMTP_MAILDIR`
//! (set by `scripts/smtp-sink.sh start DIR`); otherwise the test starts
//! `/usr/bin/python3 -m aiosmtpd` itself. When neither works it skips with a notice, unless
//! `BALISE_REQUIRE_SMTP=1`, in which case it fails.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use domain::audit::{Actor, Attribution};
use domain::entities::{
    AccountHandle, Author, ExternalId, Login, MessageKind, Network, NewAccount, NewMessage, NewUser,
    Organisation, OrganisationId, PasswordHash, ProfileId, RoleId,
};
use domain::respondents::{Designation, SectorId, UnitId};
use notify::plan::EscalationRules;
use notify::{run_escalation, Mailer, SmtpConfig, SmtpSecurity};
use store::{MessageInsertion, Store};

/// A running sink: its address, its Maildir, and the child to kill when we started it.
struct Sink {
    host: String,
    port: u16,
    maildir: PathBuf,
    child: Option<Child>,
    _directory: Option<tempfile::TempDir>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_sink() -> Result<Sink, String> {
    if let (Ok(address), Ok(maildir)) = (std::env::var("BALISE_TEST_SMTP"), std::env::var("BALISE_TEST_SMTP_MAILDIR")) {
        let (host, port) = address.rsplit_once(':').ok_or(format!("BALISE_TEST_SMTP={address}: expected host:port"))?;
        let port = port.parse().map_err(|_| format!("BALISE_TEST_SMTP={address}: bad port"))?;
        return Ok(Sink { host: host.to_owned(), port, maildir: PathBuf::from(maildir), child: None, _directory: None });
    }
    let directory = tempfile::tempdir().map_err(|error| error.to_string())?;
    let maildir = directory.path().join("maildir");
    let port = free_port();
    let child = Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run /usr/bin/python3: {error}"))?;
    let mut sink = Sink { host: "127.0.0.1".into(), port, maildir, child: Some(child), _directory: Some(directory) };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(sink);
        }
        if let Some(status) = sink.child.as_mut().and_then(|child| child.try_wait().ok().flatten()) {
            return Err(format!("aiosmtpd exited with {status} (is python3-aiosmtpd installed? scripts/smtp-sink.sh installs it)"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("aiosmtpd did not listen within 10 s".into())
}

fn sink_or_skip() -> Option<Sink> {
    match start_sink() {
        Ok(sink) => Some(sink),
        Err(reason) if std::env::var("BALISE_REQUIRE_SMTP").as_deref() == Ok("1") => {
            panic!("BALISE_REQUIRE_SMTP=1 but no SMTP sink: {reason}")
        }
        Err(reason) => {
            eprintln!("NOTICE: SMTP test skipped, no sink ({reason}); run scripts/smtp-sink.sh start DIR");
            None
        }
    }
}

/// Every delivered message in the Maildir whose envelope recipients mention `marker`.
fn delivered_to(maildir: &Path, marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .filter(|text| {
            header_lines(text).iter().any(|line| line.to_ascii_lowercase().starts_with("x-rcptto:") && line.contains(marker))
        })
        .collect()
}

/// The header section, unfolded, one header per entry.
fn header_lines(message: &str) -> Vec<String> {
    let normalised = message.replace("\r\n", "\n");
    let head = normalised.split("\n\n").next().unwrap_or("");
    let mut lines: Vec<String> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = lines.last_mut() {
                // Unfolding removes the line break, not the whitespace (RFC 5322 §2.2.3).
                last.push(' ');
                last.push_str(line.trim_start());
            }
        } else {
            lines.push(line.to_owned());
        }
    }
    lines
}

fn header(message: &str, name: &str) -> Vec<String> {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    header_lines(message)
        .into_iter()
        .filter(|line| line.to_ascii_lowercase().starts_with(&prefix))
        .map(|line| line[prefix.len()..].trim().to_owned())
        .collect()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=` or `=?utf-8?q?…?=`); whitespace
/// between two encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut decoded = String::new();
    let mut previous_was_encoded = false;
    for (index, word) in value.split_whitespace().enumerate() {
        let lower = word.to_ascii_lowercase();
        let encoded = (lower.starts_with("=?utf-8?b?") || lower.starts_with("=?utf-8?q?")) && word.ends_with("?=");
        if index > 0 && !(encoded && previous_was_encoded) {
            decoded.push(' ');
        }
        if encoded {
            let inner = &word[10..word.len() - 2];
            let bytes = if lower.starts_with("=?utf-8?b?") {
                base64::engine::general_purpose::STANDARD.decode(inner).unwrap()
            } else {
                quoted_printable::decode(inner.replace('_', " "), quoted_printable::ParseMode::Robust).unwrap()
            };
            decoded.push_str(&String::from_utf8(bytes).unwrap());
        } else {
            decoded.push_str(word);
        }
        previous_was_encoded = encoded;
    }
    decoded
}

fn body(message: &str) -> String {
    let normalised = message.replace("\r\n", "\n");
    let raw = normalised.split_once("\n\n").map_or("", |(_, body)| body);
    // Quoted-printable carries line breaks as CRLF; compare with LF.
    String::from_utf8(quoted_printable::decode(raw, quoted_printable::ParseMode::Robust).unwrap()).unwrap().replace("\r\n", "\n")
}

const HOSTILE: &str = "Mon permis?\r\nBcc: victime@example.com\r\nSubject: piratage\r\n\r\n<b>gras</b><script>alert(1)</script>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breach_is_escalated_once_by_email_with_headers_untouched() {
    let Some(sink) = sink_or_skip() else { return };
    let marker = format!("t{}x{}", std::process::id(), jiff::Timestamp::now().as_nanosecond() % 1_000_000_000);
    let sector_manager = format!("gestion-{marker}@example.org");
    let communications_manager = format!("dcom-{marker}@example.org");

    let store = Store::connect("sqlite::memory:").await.unwrap();
    let by = Attribution::by(Actor::system("test").unwrap());
    let mamh = OrganisationId::parse("mamh").unwrap();
    store
        .upsert_organisation(&by, &Organisation { id: mamh.clone(), name: "MAMH".into(), profile_id: ProfileId::parse("mamh").unwrap() })
        .await
        .unwrap();
    let account = store
        .add_account(&by, &NewAccount { organisation_id: mamh.clone(), network: Network::parse("facebook").unwrap(), handle: AccountHandle::parse("@mamh").unwrap() })
        .await
        .unwrap();
    let outcomes = store
        .insert_messages(
            &by,
            &[NewMessage {
                network: account.network.clone(),
                account_id: account.id,
                external_id: ExternalId::parse("m1").unwrap(),
                thread: None,
                author: Author { external_id: ExternalId::parse("a1").unwrap(), display_name: "Jeanne".into() },
                text: HOSTILE.into(),
                kind: MessageKind::Comment,
                // Monday 2026-03-02 15:45 in Montréal: triage is due Tuesday 9:15.
                received_at: "2026-03-02T20:45:00Z".parse().unwrap(),
            }],
        )
        .await
        .unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!() };
    let case = store.open_case(&by, message_id).await.unwrap();
    let respondent = store
        .add_user(
            &by,
            &NewUser {
                organisation_id: mamh.clone(),
                login: Login::parse("r.gagnon").unwrap(),
                display_name: "R. Gagnon".into(),
                role: RoleId::parse("respondent").unwrap(),
                password_hash: PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0$hash").unwrap(),
            },
        )
        .await
        .unwrap();
    let unit = UnitId::parse("urbanisme").unwrap();
    store
        .designate_respondent(
            &by,
            &Designation { organisation_id: mamh.clone(), unit: unit.clone(), sector: SectorId::from_stored("amenagement").unwrap(), respondent: respondent.id, substitute: None },
        )
        .await
        .unwrap();
    store.assign_case_to_unit(&by, case.id, &unit, "2026-03-02T20:46:00Z".parse().unwrap()).await.unwrap();
    store.set_notification_address(&by, &mamh, "sector_manager:amenagement", &sector_manager).await.unwrap();
    store.set_notification_address(&by, &mamh, "communications_manager", &communications_manager).await.unwrap();

    let config = SmtpConfig {
        host: sink.host.clone(),
        port: sink.port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Balise <balise@example.org>".into(),
        public_url: "https://balise.example/".into(),
    };
    let mailer = Mailer::new(&config).unwrap();
    // Tuesday 11:30 in Montréal: triage is 2 h 15 business late.
    let now = "2026-03-03T16:30:00Z".parse().unwrap();
    let report = run_escalation(&store, &by, &mamh, now, Some(&mailer), EscalationRules::default(), false).await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.sent.len(), 1, "{report:?}");
    let again = run_escalation(&store, &by, &mamh, now, Some(&mailer), EscalationRules::default(), false).await.unwrap();
    assert!(again.due.is_empty() && again.sent.is_empty(), "sent twice: {again:?}");

    let mut messages = Vec::new();
    for _ in 0..50 {
        messages = delivered_to(&sink.maildir, &marker);
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(messages.len(), 1, "expected exactly one delivered message in {}", sink.maildir.display());
    let message = &messages[0];
    let envelope = header(message, "X-RcptTo").join(",");
    assert!(envelope.contains(&sector_manager) && envelope.contains(&communications_manager), "{envelope}");
    assert!(!envelope.contains("victime"), "{envelope}");
    assert_eq!(header(message, "Bcc"), Vec::<String>::new());
    assert_eq!(header(message, "Subject").len(), 1);
    let subject = decode_words(&header(message, "Subject")[0]);
    assert_eq!(subject, "[Balise] Échéance dépassée — dossier n° 1 (tri par l'équipe des communications)");
    let to = header(message, "To").join(",");
    assert!(to.contains(&sector_manager) && to.contains(&communications_manager), "{to}");
    let text = body(message);
    assert!(text.contains("en retard de 2 h 15 ouvrables"), "{text}");
    assert!(text.contains("> Bcc: victime@example.com\n"), "{text}");
    assert!(text.contains("> <b>gras</b><script>alert(1)</script>"), "{text}");
    assert!(text.contains("https://balise.example/cases/1"), "{text}");
    let audit = store.audit_entries(0, 100).await.unwrap();
    assert!(audit.iter().any(|entry| entry.event.action.as_str() == "deadline_breach_escalated"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_routed_to_a_regional_directorate_is_mailed_to_its_mailbox_once() {
    let Some(sink) = sink_or_skip() else { return };
    let marker = format!("r{}x{}", std::process::id(), jiff::Timestamp::now().as_nanosecond() % 1_000_000_000);
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let by = Attribution::by(Actor::system("test").unwrap());
    let person = Attribution::by(Actor::User(Login::parse("c.manager").unwrap()));
    let mamh = OrganisationId::parse("mamh").unwrap();
    store
        .upsert_organisation(&by, &Organisation { id: mamh.clone(), name: "MAMH".into(), profile_id: ProfileId::parse("mamh").unwrap() })
        .await
        .unwrap();
    let account = store
        .add_account(&by, &NewAccount { organisation_id: mamh.clone(), network: Network::parse("facebook").unwrap(), handle: AccountHandle::parse("@mamh").unwrap() })
        .await
        .unwrap();
    let text = format!("Je veux discuter du schéma d'aménagement de Montréal en détail ({marker}).\r\nBcc: victime@example.com");
    let mut message_ids = Vec::new();
    for external in ["d1", "d2"] {
        let outcomes = store
            .insert_messages(
                &by,
                &[NewMessage {
                    network: account.network.clone(),
                    account_id: account.id,
                    external_id: ExternalId::parse(external).unwrap(),
                    thread: None,
                    author: Author { external_id: ExternalId::parse("a1").unwrap(), display_name: "Jeanne".into() },
                    text: text.clone(),
                    kind: MessageKind::Comment,
                    received_at: "2026-03-02T15:00:00Z".parse().unwrap(),
                }],
            )
            .await
            .unwrap();
        let MessageInsertion::New(message_id) = outcomes[0] else { panic!() };
        message_ids.push(message_id);
    }
    let suggestion = store::intake::SuggestionRecord {
        route: "regional_directorate:demo-montreal".into(),
        route_family: "regional_directorate".into(),
        target_id: Some("demo-montreal".into()),
        reasons_json: "[]".into(),
        alternatives_json: "[]".into(),
        reply_expected: true,
        suggested_page_json: None,
    };
    let verdict = store::intake::VerdictRecord {
        action: "publish".into(),
        categories: vec![],
        urgent: None,
        clauses: vec![],
        evidence_json: "[]".into(),
        language: "fr".into(),
        explanation: String::new(),
        substance_remains: true,
        engine_version: "test".into(),
    };
    let results: Vec<store::intake::IntakeResult> = message_ids
        .iter()
        .map(|message_id| store::intake::IntakeResult::Processed {
            message_id: *message_id,
            verdict: verdict.clone(),
            verdict_rule: None,
            case: Some(store::intake::CaseIntake { suggestion: suggestion.clone(), suggestion_rule: None, deadlines: None }),
        })
        .collect();
    let recorded = store.record_intake(&by, &results).await.unwrap();
    let store::intake::IntakeRecorded::CaseOpened(confirmed_case) = recorded[0] else { panic!("{recorded:?}") };

    let config = SmtpConfig {
        host: sink.host.clone(),
        port: sink.port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Balise <balise@example.org>".into(),
        public_url: "https://balise.example/".into(),
    };
    let mailer = Mailer::new(&config).unwrap();
    let profile = domain::profile::Profile::preset("mamh").unwrap();
    // A suggestion alone is not a referral: a person decides the route first.
    let report = notify::referral::notify_directorate_referrals(&store, &by, &mamh, &profile, &mailer).await.unwrap();
    assert!(report.sent.is_empty(), "{report:?}");

    store
        .change_route(&person, confirmed_case, "regional_directorate:demo-montreal", &store::case_actions::RouteReplan::default())
        .await
        .unwrap();
    let report = notify::referral::notify_directorate_referrals(&store, &by, &mamh, &profile, &mailer).await.unwrap();
    assert_eq!(report.sent, vec![(confirmed_case, "dr.montreal@example.org".to_owned())], "{report:?}");
    let again = notify::referral::notify_directorate_referrals(&store, &by, &mamh, &profile, &mailer).await.unwrap();
    assert_eq!(again, notify::referral::ReferralReport::default(), "mailed twice");
    assert!(store
        .sent_notifications(&mamh)
        .await
        .unwrap()
        .iter()
        .any(|sent| sent.case_id == confirmed_case && sent.kind == store::respondents::NotificationKind::DirectorateReferral));

    let mut messages = Vec::new();
    for _ in 0..50 {
        messages = delivered_to(&sink.maildir, "dr.montreal@example.org")
            .into_iter()
            .filter(|message| body(message).contains(&marker))
            .collect();
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(messages.len(), 1, "expected one message to the directorate in {}", sink.maildir.display());
    let message = &messages[0];
    assert_eq!(header(message, "Bcc"), Vec::<String>::new());
    let subject = decode_words(&header(message, "Subject")[0]);
    assert_eq!(subject, format!("[Balise] Dossier n° {} orienté vers votre direction régionale", confirmed_case.get()));
    let text = body(message);
    assert!(text.contains("Direction régionale de Montréal (démonstration)"), "{text}");
    assert!(text.contains("> Bcc: victime@example.com"), "{text}");
    let audit = store.audit_entries(0, 100).await.unwrap();
    let entry = audit.iter().find(|entry| entry.event.action.as_str() == "directorate_referral_sent").unwrap();
    assert_eq!(entry.event.attribution.rule.as_deref(), Some("R-24"));
}

/// An urgent case follows its own clock-hour plan (not the first-response commitment): two
/// hours after receipt on a Sunday its deadline is breached and the urgent line is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urgent_case_is_escalated_on_its_clock_hour_to_the_urgent_line() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let by = Attribution::by(Actor::system("test").unwrap());
    let mamh = OrganisationId::parse("mamh").unwrap();
    store
        .upsert_organisation(&by, &Organisation { id: mamh.clone(), name: "MAMH".into(), profile_id: ProfileId::parse("mamh").unwrap() })
        .await
        .unwrap();
    let account = store
        .add_account(&by, &NewAccount { organisation_id: mamh.clone(), network: Network::parse("facebook").unwrap(), handle: AccountHandle::parse("@mamh").unwrap() })
        .await
        .unwrap();
    // Sunday 2026-03-01 10:00 in Quebec.
    let received: jiff::Timestamp = "2026-03-01T15:00:00Z".parse().unwrap();
    let outcomes = store
        .insert_messages(
            &by,
            &[NewMessage {
                network: account.network.clone(),
                account_id: account.id,
                external_id: ExternalId::parse("u1").unwrap(),
                thread: None,
                author: Author { external_id: ExternalId::parse("a1").unwrap(), display_name: "X".into() },
                text: "Je vais faire sauter l'édifice.".into(),
                kind: MessageKind::Comment,
                received_at: received,
            }],
        )
        .await
        .unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!() };
    let due = received.checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    let deadlines = store::intake::DeadlineRecord {
        commitment_id: "urgent".into(),
        clock_start: received,
        stages: vec![store::intake::StageDeadline { stage: "urgent".into(), starts: received, planned_due: due, ended_at: None }],
        first_response_due: due,
        committed_due: due,
    };
    let result = store::intake::IntakeResult::Processed {
        message_id,
        verdict: store::intake::VerdictRecord {
            action: "review".into(),
            categories: vec![],
            urgent: Some("threat".into()),
            clauses: vec![],
            evidence_json: "[]".into(),
            language: "fr".into(),
            explanation: String::new(),
            substance_remains: true,
            engine_version: "test".into(),
        },
        verdict_rule: None,
        case: Some(store::intake::CaseIntake {
            suggestion: store::intake::SuggestionRecord {
                route: "urgent".into(),
                route_family: "urgent".into(),
                target_id: None,
                reasons_json: "[]".into(),
                alternatives_json: "[]".into(),
                reply_expected: true,
                suggested_page_json: None,
            },
            suggestion_rule: Some("R-13".into()),
            deadlines: Some(deadlines),
        }),
    };
    store.record_intake(&by, &[result]).await.unwrap();
    store.set_notification_address(&by, &mamh, "urgent", "garde@example.org").await.unwrap();
    store.set_notification_address(&by, &mamh, "communications_manager", "dcom@example.org").await.unwrap();
    let at = received.checked_add(jiff::SignedDuration::from_hours(2)).unwrap();
    let report = run_escalation(&store, &by, &mamh, at, None, EscalationRules::default(), true).await.unwrap();
    assert_eq!(report.due.len(), 1, "{report:?}");
    let breach = &report.due[0];
    assert_eq!((breach.stage.as_str(), breach.kind), ("urgent", store::respondents::NotificationKind::Breach));
    assert_eq!(breach.due, due);
    assert_eq!(breach.recipients, ["dcom@example.org".to_owned(), "garde@example.org".to_owned()]);
}
