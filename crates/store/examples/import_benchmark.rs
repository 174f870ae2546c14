//! Import benchmark (issue 4: one million messages in under 60 s on SQLite). Run with
//!
//! ```text
//! cargo run --release -p store --example import_benchmark -- [MESSAGES] [BATCH] [DATABASE_URL]
//! ```
//!
//! Defaults: 1 000 000 messages, batches of 5 000, a fresh SQLite file in a temporary
//! directory. Prints the elapsed time and the rate, then checks the count and the audit chain.

use std::time::Instant;

use domain::audit::{Actor, Attribution, AuditVerification};
use domain::entities::{
    AccountHandle, Author, ExternalId, MessageKind, Network, NewAccount, NewMessage,
    Organisation, OrganisationId, ProfileId,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let total: usize = arguments.first().map(|value| value.parse()).transpose()?.unwrap_or(1_000_000);
    let batch_size: usize = arguments.get(1).map(|value| value.parse()).transpose()?.unwrap_or(5_000);
    let directory = tempfile::tempdir()?;
    let url = match arguments.get(2) {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", directory.path().join("benchmark.sqlite3").display()),
    };

    let store = store::Store::connect(&url).await?;
    let by = Attribution::by(Actor::system("benchmark")?);
    let organisation_id = OrganisationId::parse("mamh")?;
    store
        .upsert_organisation(
            &by,
            &Organisation {
                id: organisation_id.clone(),
                name: "Ministère des Affaires municipales et de l'Habitation".into(),
                profile_id: ProfileId::parse("mamh")?,
            },
        )
        .await?;
    let network = Network::parse("facebook")?;
    let account = store
        .add_account(
            &by,
            &NewAccount { organisation_id, network: network.clone(), handle: AccountHandle::parse("@MAMHQuebec")? },
        )
        .await?;
    let received_at: jiff::Timestamp = "2026-03-02T14:05:06Z".parse()?;

    let started = Instant::now();
    let mut stored = 0usize;
    let mut next = 0usize;
    while next < total {
        let end = (next + batch_size).min(total);
        let mut batch = Vec::with_capacity(end - next);
        for index in next..end {
            batch.push(NewMessage {
                network: network.clone(),
                account_id: account.id,
                external_id: ExternalId::parse(&format!("fb-{index:09}"))?,
                thread: Some(ExternalId::parse(&format!("post-{}", index % 500))?),
                author: Author {
                    external_id: ExternalId::parse(&format!("person-{}", index % 50_000))?,
                    display_name: format!("Personne {}", index % 50_000),
                },
                text: format!(
                    "Bonjour, j'aimerais savoir quand ouvrira le bureau régional pour ma demande no {index}. Merci!"
                ),
                kind: if index % 10 == 0 { MessageKind::PrivateMessage } else { MessageKind::Comment },
                received_at,
            });
        }
        let outcomes = store.insert_messages(&by, &batch).await?;
        stored += outcomes.iter().filter(|outcome| matches!(outcome, store::MessageInsertion::New(_))).count();
        next = end;
    }
    let elapsed = started.elapsed();
    println!(
        "{stored} messages stored in {:.2} s ({:.0} messages/s), batches of {batch_size}, {:?} backend",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64(),
        store.backend()
    );
    let verify_started = Instant::now();
    let verification = store.verify_audit_chain().await?;
    println!("count = {}, audit: {verification:?} in {:.2} s", store.count_messages().await?, verify_started.elapsed().as_secs_f64());
    if !matches!(verification, AuditVerification::Intact { .. }) {
        return Err("audit chain broken".into());
    }
    store.close().await;
    Ok(())
}
