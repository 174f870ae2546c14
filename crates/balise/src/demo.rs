//! Loading the organisations an instance serves into the store, and the demo organisation
//! that `balise serve --demo` opens on.

use anyhow::Context;
use domain::audit::{Actor, Attribution};
use domain::entities::{AccountHandle, Network, NewAccount, Organisation, OrganisationId, ProfileId};
use domain::profile::Profile;
use std::sync::Arc;
use web::OrganisationEntry;

/// The preset the demo runs on: MAMH's framework is the most complete of the five.
pub const DEMO_PROFILE: &str = "mamh";

/// Resolves each profile (preset id or path), records its organisation and accounts in the
/// store (idempotently: a restart finds them there), and returns them for the server.
pub async fn load_organisations(
    store: &store::Store,
    profile_refs: &[String],
    demo: bool,
) -> anyhow::Result<Vec<OrganisationEntry>> {
    let by = Attribution::by(Actor::system(if demo { "demo" } else { "serve" })?);
    let mut entries = Vec::new();
    for reference in profile_refs {
        let profile = Profile::resolve(reference)
            .map_err(|error| anyhow::anyhow!("{error}"))
            .with_context(|| format!("chargement du profil « {reference} »"))?;
        let organisation_id = OrganisationId::parse(profile.id())?;
        store
            .upsert_organisation(
                &by,
                &Organisation {
                    id: organisation_id.clone(),
                    name: profile.identity().name.clone(),
                    profile_id: ProfileId::parse(profile.id())?,
                },
            )
            .await?;
        for account in profile.accounts() {
            let Some(handle) = account.handle.as_deref() else { continue };
            let network = Network::parse(account.network.id())?;
            let handle = AccountHandle::parse(handle)?;
            if store.find_account(&network, &handle).await?.is_none() {
                store
                    .add_account(
                        &by,
                        &NewAccount { organisation_id: organisation_id.clone(), network, handle },
                    )
                    .await?;
            }
        }
        entries.push(OrganisationEntry { id: profile.id().to_owned(), profile: Arc::new(profile) });
    }
    Ok(entries)
}

/// Messages a community manager could find on a Monday morning: a question, a sacre with a
/// real question behind it, thanks, a threat, a media request, personal information, spam,
/// criticism, a self-harm statement, a broken link, and hostile markup. Written for the demo.
const DEMO_MESSAGES: &str = include_str!("../demo/messages.jsonl");

/// Feeds the demo messages through the real intake (idempotent on their external ids, so a
/// restart adds nothing) and processes them. Returns how many are stored in all.
pub async fn load_demo_messages(pipeline: &pipeline::Pipeline) -> anyhow::Result<usize> {
    let mut batch = Vec::new();
    for (index, line) in DEMO_MESSAGES.lines().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("demo/messages.jsonl, ligne {}", index + 1))?;
        let record = pipeline::IncomingMessage::from_json(&value)
            .map_err(|error| anyhow::anyhow!("demo/messages.jsonl, ligne {} : {error}", index + 1))?;
        batch.push(record);
    }
    let count = batch.len();
    pipeline.ingest(batch).await?;
    pipeline.process_all_pending().await?;
    Ok(count)
}

/// What a person trying the demo needs to know, printed at start.
pub fn print_demo_summary(address: std::net::SocketAddr, messages: usize) {
    println!("  démonstration       : profil « {DEMO_PROFILE} » chargé avec ses comptes et {messages} messages");
    println!("    organisation      : http://{address}/organisations/{DEMO_PROFILE}");
    println!("    messages (API)    : http://{address}/api/v1/organisations/{DEMO_PROFILE}/messages");
}
