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

/// The one password of every demo user. Printed at start, only in demo mode; never use
/// `--demo` on an instance that holds real data.
pub const DEMO_PASSWORD: &str = "balise-demo-2026";

/// One demo user: login, display name, role id.
pub struct DemoUser {
    pub login: &'static str,
    pub display_name: &'static str,
    pub role: domain::profile::Role,
}

/// A person for each role of issue 5 (and a substitute respondent), so every screen and
/// every refusal can be tried.
pub const DEMO_USERS: &[DemoUser] = {
    use domain::profile::Role;
    &[
        DemoUser { login: "gestionnaire", display_name: "Camille Tremblay", role: Role::CommunityManager },
        DemoUser { login: "dcom", display_name: "Sophie Gagnon", role: Role::CommunicationsManager },
        DemoUser { login: "conseiller", display_name: "Louis Bouchard", role: Role::CommunicationsAdvisor },
        DemoUser { login: "secteur", display_name: "Nathalie Roy", role: Role::SectorManager },
        DemoUser { login: "repondant", display_name: "Marc Côté", role: Role::Respondent },
        DemoUser { login: "substitut", display_name: "Julie Pelletier", role: Role::Respondent },
        DemoUser { login: "direction", display_name: "Guy Lévesque", role: Role::Director },
        DemoUser { login: "admin", display_name: "Isabelle Morin", role: Role::Administrator },
    ]
};

/// The demo unit the respondent answers for (sector `dgfef`: property tax questions such as
/// the demo's « taxe foncière » message are routed there), with the substitute.
pub const DEMO_UNIT: &str = "evaluation-fonciere";
/// The sector of [`DEMO_UNIT`].
pub const DEMO_SECTOR: &str = "dgfef";

/// Creates the demo users that do not exist yet (a restart keeps the existing ones and
/// their passwords) and designates the demo respondent and substitute of [`DEMO_UNIT`].
pub async fn create_demo_users(store: &store::Store, profile: &Profile) -> anyhow::Result<()> {
    use domain::entities::{Login, NewUser, RoleId};
    let by = Attribution::by(Actor::system("demo")?);
    let organisation_id = OrganisationId::parse(profile.id())?;
    let mut hash = None;
    let mut ids = std::collections::HashMap::new();
    for demo_user in DEMO_USERS {
        let login = Login::parse(demo_user.login)?;
        let user = match store.get_user_by_login(&login).await? {
            Some(user) => user,
            None => {
                let password_hash = match &hash {
                    Some(hash) => Clone::clone(hash),
                    None => {
                        let password = web::auth::password::NewPassword::parse(DEMO_PASSWORD)?;
                        let computed = web::auth::password::hash_password_blocking(password).await?;
                        hash = Some(computed.clone());
                        computed
                    }
                };
                let new_user = NewUser {
                    organisation_id: organisation_id.clone(),
                    login,
                    display_name: demo_user.display_name.to_owned(),
                    role: RoleId::parse(demo_user.role.id())?,
                    password_hash,
                };
                store.add_user(&by, &new_user).await?
            }
        };
        ids.insert(demo_user.login, user.id);
    }
    let unit = domain::respondents::UnitId::parse(DEMO_UNIT)?;
    let designated = store.list_designations(&organisation_id).await?;
    if !designated.iter().any(|designation| designation.unit == unit) {
        let (Some(respondent), Some(substitute)) = (ids.get("repondant"), ids.get("substitut")) else {
            anyhow::bail!("utilisateurs de démonstration incomplets");
        };
        store
            .designate_respondent(
                &by,
                &domain::respondents::Designation {
                    organisation_id,
                    unit,
                    sector: domain::respondents::SectorId::in_profile(profile, DEMO_SECTOR)?,
                    respondent: *respondent,
                    substitute: Some(*substitute),
                },
            )
            .await?;
    }
    Ok(())
}

/// The demo users and their one password, printed at start (French).
pub fn print_demo_users(address: std::net::SocketAddr, profile: &Profile) {
    println!("    connexion         : http://{address}/connexion");
    println!("    mot de passe      : {DEMO_PASSWORD} (le même pour chaque utilisateur de démonstration)");
    for demo_user in DEMO_USERS {
        let label = profile
            .roles()
            .iter()
            .find(|grant| grant.role == demo_user.role)
            .map_or(demo_user.role.id(), |grant| grant.label.as_str());
        let note = match demo_user.login {
            "repondant" => format!(" — répondant de l'unité {DEMO_UNIT}"),
            "substitut" => format!(" — substitut de l'unité {DEMO_UNIT}"),
            _ => String::new(),
        };
        println!("    {:<17} : {} ({label}){note}", demo_user.login, demo_user.display_name);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn demo_users_cover_every_role_sign_in_and_survive_a_restart() {
        let store = store::Store::connect("sqlite::memory:").await.unwrap();
        let organisations = load_organisations(&store, &[DEMO_PROFILE.to_owned()], true).await.unwrap();
        let profile = organisations[0].profile.clone();
        create_demo_users(&store, &profile).await.unwrap();
        let audit_after_first = store.audit_entries(0, 100_000).await.unwrap().len();
        create_demo_users(&store, &profile).await.unwrap();
        assert_eq!(store.audit_entries(0, 100_000).await.unwrap().len(), audit_after_first, "a restart changes nothing");

        let organisation = OrganisationId::parse(DEMO_PROFILE).unwrap();
        let users = store.list_users(&organisation).await.unwrap();
        assert_eq!(users.len(), DEMO_USERS.len());
        for role in ["community_manager", "communications_manager", "communications_advisor", "sector_manager", "respondent", "director", "administrator"] {
            assert!(users.iter().any(|user| user.role.as_str() == role), "no demo user with role {role}");
        }
        let gestionnaire = users.iter().find(|user| user.login.as_str() == "gestionnaire").unwrap();
        assert!(web::auth::password::verify_password(DEMO_PASSWORD, &gestionnaire.password_hash));

        let designations = store.list_designations(&organisation).await.unwrap();
        assert_eq!(designations.len(), 1);
        let respondent = users.iter().find(|user| user.login.as_str() == "repondant").unwrap();
        let substitute = users.iter().find(|user| user.login.as_str() == "substitut").unwrap();
        assert_eq!(designations[0].unit.as_str(), DEMO_UNIT);
        assert_eq!(designations[0].sector.as_str(), DEMO_SECTOR);
        assert_eq!(designations[0].respondent, respondent.id);
        assert_eq!(designations[0].substitute, Some(substitute.id));
    }
}
