//! Intake benchmark (issue 4: one million messages imported in under 60 s with SQLite).
//!
//! ```text
//! cargo run --release -p pipeline --example import_bench -- [MESSAGES] [BATCH] [PROCESSED]
//! ```
//!
//! Generates MESSAGES records (default 1 000 000) as JSON Lines in memory, then times the
//! whole import path of `balise import --no-process`: reading the lines, validating each
//! record, storing batches of BATCH (default 5 000) through `Pipeline::ingest`. Then times
//! `process_pending` (moderation, triage, case, deadlines, audit) on the first PROCESSED
//! messages (default 20 000) and checks the audit chain.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use domain::entities::OrganisationId;
use domain::profile::Profile;
use pipeline::Pipeline;
use pipeline::reader::JsonLinesReader;

const TEXTS: [&str; 6] = [
    "Bonjour, quand est-ce que le programme d'aide financière aux municipalités ouvre cette année?",
    "Merci pour l'information, c'est très apprécié!",
    "Le lien vers le formulaire ne fonctionne plus depuis ce matin.",
    "Vous êtes une bande d'incompétents, ça fait trois mois que j'attends une réponse.",
    "Est-ce que ma municipalité peut demander une subvention pour refaire le parc?",
    "Pourquoi le ministère n'a-t-il pas consulté les citoyens de la région avant de décider?",
];

#[tokio::main]
async fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let total: usize = arguments
        .first()
        .map_or(1_000_000, |value| value.parse().unwrap());
    let batch_size: usize = arguments
        .get(1)
        .map_or(5_000, |value| value.parse().unwrap());
    let processed: usize = arguments
        .get(2)
        .map_or(20_000, |value| value.parse().unwrap());

    let mut file = Vec::with_capacity(total * 330);
    for index in 0..total {
        let second = index % 86_400;
        writeln!(
            file,
            r#"{{"network":"facebook","account":"@MAMHQuebec","external_id":"fb-{index}","thread":"post-{}","author":"u-{}","author_name":"Personne {}","text":"{} (n° {index})","kind":"comment","received_at":"2026-03-{:02}T{:02}:{:02}:{:02}-05:00"}}"#,
            index % 500,
            index % 50_000,
            index % 50_000,
            TEXTS[index % TEXTS.len()],
            2 + (index / 86_400) % 20,
            second / 3600,
            (second / 60) % 60,
            second % 60,
        )
        .unwrap();
    }
    println!("{} MB of JSON Lines generated", file.len() / 1_000_000);

    let directory = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        directory.path().join("bench.sqlite3").display()
    );
    let store = store::Store::connect(&url).await.unwrap();
    let profile = Arc::new(Profile::preset("mamh").unwrap());
    let pipeline = Pipeline::new(
        store.clone(),
        vec![(OrganisationId::parse("mamh").unwrap(), profile)],
        None,
    );

    let started = Instant::now();
    let mut batch = Vec::with_capacity(batch_size);
    let mut stored = 0;
    for read in JsonLinesReader::new(file.as_slice()) {
        batch.push(read.unwrap().record.unwrap());
        if batch.len() == batch_size {
            stored += pipeline
                .ingest(std::mem::take(&mut batch))
                .await
                .unwrap()
                .stored();
        }
    }
    stored += pipeline.ingest(batch).await.unwrap().stored();
    let elapsed = started.elapsed();
    println!(
        "import: {stored} messages read, validated and stored in {:.2} s ({:.0} messages/s), batches of {batch_size}, SQLite",
        elapsed.as_secs_f64(),
        stored as f64 / elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let report = pipeline.process_pending(processed).await.unwrap();
    let elapsed = started.elapsed();
    println!(
        "processing: {} messages moderated, triaged and recorded ({} cases) in {:.2} s ({:.0} messages/s)",
        report.processed,
        report.cases_opened,
        elapsed.as_secs_f64(),
        report.processed as f64 / elapsed.as_secs_f64()
    );
    let timings = report.timings;
    println!(
        "  of which: fetch {:.2} s, history {:.2} s, moderation and triage {:.2} s, record {:.2} s, assignment {:.2} s",
        timings.fetch.as_secs_f64(),
        timings.history.as_secs_f64(),
        timings.decide.as_secs_f64(),
        timings.record.as_secs_f64(),
        timings.assign.as_secs_f64()
    );
    let started = Instant::now();
    let verification = store.verify_audit_chain().await.unwrap();
    println!(
        "audit chain: {verification:?} in {:.2} s",
        started.elapsed().as_secs_f64()
    );
}
