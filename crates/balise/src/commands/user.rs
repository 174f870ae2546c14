//! `balise user`: local accounts — add a person with a role of their organisation's
//! profile, change a password, list the accounts, create an API token. Passwords are read
//! from the terminal (twice, without echo) or from standard input (`--password-stdin`), never
//! from the command line (it would stay in the shell history and the process list). The
//! policy and the argon2id hashing are in `web::auth::password`; the store writes and audits.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use domain::entities::{Login, NewUser, RoleId};
use domain::profile::{Profile, Role};
use store::Store;
use web::auth::password::{hash_password_blocking, NewPassword};

use super::respondents::{actor, open_store, organisation_id, StoreOptions};

/// Gérer les comptes locaux : ajout, mot de passe, liste, jetons d'API.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserCommand,
}

/// Ce qui est fait des comptes.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Ajouter une personne avec un rôle du profil de son organisme.
    Add(AddArgs),
    /// Changer le mot de passe d'une personne (ferme ses sessions ouvertes).
    Passwd(PasswdArgs),
    /// Afficher les comptes d'un organisme.
    List(ListArgs),
    /// Gérer les jetons d'API d'une personne.
    Token(TokenArgs),
}

/// Arguments de `balise user add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Identifiant de connexion (unique sur l'installation).
    #[arg(long, value_name = "IDENTIFIANT")]
    pub login: String,
    /// Nom affiché dans l'interface.
    #[arg(long, value_name = "NOM")]
    pub name: String,
    /// Rôle défini par le profil de l'organisme (p. ex. community_manager, respondent).
    #[arg(long, value_name = "RÔLE")]
    pub role: String,
    /// Lire le mot de passe sur l'entrée standard (une ligne) plutôt que de le demander.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise user passwd`.
#[derive(Debug, clap::Args)]
pub struct PasswdArgs {
    /// Identifiant de connexion.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub login: String,
    /// Lire le mot de passe sur l'entrée standard (une ligne) plutôt que de le demander.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise user list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise user token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenCommand,
}

/// Ce qui est fait des jetons d'API.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Créer un jeton d'API (affiché une seule fois) qui agit avec le rôle de la personne.
    Create(TokenCreateArgs),
}

/// Arguments de `balise user token create`.
#[derive(Debug, clap::Args)]
pub struct TokenCreateArgs {
    /// Identifiant de connexion de la personne à qui appartient le jeton.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub login: String,
    /// Nom du jeton (p. ex. « connecteur Facebook »).
    #[arg(long, value_name = "NOM")]
    pub name: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("user", "Manage local accounts: add, password, list, API tokens"),
    ("user add", "Add a person with a role of their organisation's profile"),
    ("user add.organisation", "Organisation id"),
    ("user add.login", "Sign-in name (unique on the installation)"),
    ("user add.name", "Name shown in the interface"),
    ("user add.role", "Role defined by the organisation's profile (e.g. community_manager, respondent)"),
    ("user add.password_stdin", "Read the password from standard input (one line) instead of prompting"),
    ("user passwd", "Change a person's password (ends their open sessions)"),
    ("user passwd.login", "Sign-in name"),
    ("user passwd.password_stdin", "Read the password from standard input (one line) instead of prompting"),
    ("user list", "Show an organisation's accounts"),
    ("user list.organisation", "Organisation id"),
    ("user token", "Manage a person's API tokens"),
    ("user token create", "Create an API token (shown once) that acts with the person's role"),
    ("user token create.login", "Sign-in name of the person the token belongs to"),
    ("user token create.name", "Token name (e.g. \"Facebook connector\")"),
    ("user *.database", "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory"),
    ("user *.data_dir", "Data directory, where the default SQLite file lives"),
    ("user *.by", "Login of the person making the change (written to the audit log); the command line by default"),
];

pub async fn run(args: UserArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        UserCommand::Add(add) => {
            let store = open_store(&add.store).await?;
            let by = actor(&add.store)?;
            let organisation = organisation_id(&add.organisation)?;
            let profile = profile_of(&store, &organisation).await?;
            let role = role_in_profile(&profile, &add.role)?;
            let login = parse_login(&add.login)?;
            anyhow::ensure!(
                !add.name.trim().is_empty() && !add.name.chars().any(char::is_control),
                "--name : le nom affiché ne peut être vide ni contenir de caractère de contrôle"
            );
            let password = read_new_password(add.password_stdin)?;
            let password_hash = hash_password_blocking(password).await?;
            let user = NewUser {
                organisation_id: organisation,
                login,
                display_name: add.name.trim().to_owned(),
                role: RoleId::parse(role.id()).context("rôle")?,
                password_hash,
            };
            let created = store.add_user(&by, &user).await.map_err(|error| match error {
                store::StoreError::AlreadyExists { .. } => {
                    anyhow::anyhow!("l'identifiant « {} » est déjà utilisé", add.login)
                }
                other => other.into(),
            })?;
            println!("compte n° {} créé : {} ({}), rôle {}", created.id, created.login, created.display_name, created.role);
        }
        UserCommand::Passwd(passwd) => {
            let store = open_store(&passwd.store).await?;
            let by = actor(&passwd.store)?;
            let login = parse_login(&passwd.login)?;
            let user = store
                .get_user_by_login(&login)
                .await?
                .with_context(|| format!("--login : aucun compte « {} »", passwd.login))?;
            let password = read_new_password(passwd.password_stdin)?;
            let hash = hash_password_blocking(password).await?;
            store.set_password(&by, user.id, &hash).await?;
            println!("mot de passe de {} changé ; ses sessions ouvertes sont fermées", user.login);
        }
        UserCommand::List(list) => {
            let store = open_store(&list.store).await?;
            let organisation = organisation_id(&list.organisation)?;
            let users = store.list_users(&organisation).await?;
            if users.is_empty() {
                println!("aucun compte pour l'organisme {organisation}");
            }
            for user in users {
                println!("{} | {} | {}", user.login, user.display_name, user.role);
            }
        }
        UserCommand::Token(TokenArgs { action: TokenCommand::Create(create) }) => {
            let store = open_store(&create.store).await?;
            let by = actor(&create.store)?;
            let login = parse_login(&create.login)?;
            let user = store
                .get_user_by_login(&login)
                .await?
                .with_context(|| format!("--login : aucun compte « {} »", create.login))?;
            let name = create.name.trim();
            anyhow::ensure!(
                !name.is_empty() && name.chars().count() <= 100 && !name.chars().any(char::is_control),
                "--name : le nom du jeton doit compter de 1 à 100 caractères, sans caractère de contrôle"
            );
            let secret = web::auth::secrets::random_api_token()?;
            let token = store
                .create_api_token(
                    &by,
                    &store::auth::NewApiToken {
                        user_id: user.id,
                        name: name.to_owned(),
                        token_hash: web::auth::secrets::token_hash(&secret),
                    },
                )
                .await?;
            eprintln!(
                "jeton n° {} « {} » créé pour {} (rôle {}) ; conservez-le, il ne sera plus affiché :",
                token.id, token.name, user.login, token.role
            );
            println!("{secret}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_login(text: &str) -> anyhow::Result<Login> {
    Login::parse(text).with_context(|| format!("--login : identifiant invalide « {text} »"))
}

async fn profile_of(store: &Store, organisation: &domain::entities::OrganisationId) -> anyhow::Result<Profile> {
    let found = store
        .get_organisation(organisation)
        .await?
        .with_context(|| format!("--organisation : l'organisme « {organisation} » n'existe pas"))?;
    Profile::resolve(found.profile_id.as_str())
        .map_err(|error| anyhow::anyhow!("profil « {} » : {error}", found.profile_id))
}

/// The role, when the organisation's profile defines it.
fn role_in_profile(profile: &Profile, text: &str) -> anyhow::Result<Role> {
    let defined: Vec<&str> = profile.roles().iter().map(|grant| grant.role.id()).collect();
    Role::parse(text)
        .filter(|role| defined.contains(&role.id()))
        .with_context(|| format!("--role : « {text} » n'est pas un rôle du profil ; rôles : {}", defined.join(", ")))
}

/// A new password, from standard input (`--password-stdin`, or when it is not a terminal)
/// or typed twice at the terminal without echo.
fn read_new_password(from_stdin: bool) -> anyhow::Result<NewPassword> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("lecture du mot de passe sur l'entrée standard")?;
        let text = line.trim_end_matches(['\n', '\r']);
        return Ok(NewPassword::parse(text)?);
    }
    let first = prompt_hidden("Mot de passe (12 caractères ou plus) : ")?;
    let password = NewPassword::parse(&first)?;
    let second = prompt_hidden("Confirmez le mot de passe : ")?;
    anyhow::ensure!(first == second, "les deux mots de passe diffèrent ; rien n'a été changé");
    Ok(password)
}

/// Reads a line from the terminal with echo turned off (`stty -echo`), then turns it back on.
fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let echo_off = std::process::Command::new("stty")
        .arg("-echo")
        .stdin(std::process::Stdio::inherit())
        .status()
        .is_ok_and(|status| status.success());
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if echo_off {
        let _ = std::process::Command::new("stty").arg("echo").stdin(std::process::Stdio::inherit()).status();
        eprintln!();
    }
    read.context("lecture du mot de passe")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn roles_must_be_defined_by_the_organisations_profile() {
        let mamh = Profile::preset("mamh").unwrap();
        assert_eq!(role_in_profile(&mamh, "respondent").unwrap(), Role::Respondent);
        assert_eq!(role_in_profile(&mamh, "administrator").unwrap(), Role::Administrator);
        let unknown = role_in_profile(&mamh, "pilote").unwrap_err().to_string();
        assert!(unknown.contains("« pilote » n'est pas un rôle du profil"), "{unknown}");
        assert!(unknown.contains("community_manager"), "the error lists the roles: {unknown}");
    }

    #[test]
    fn logins_are_checked() {
        assert!(parse_login("c.tremblay").is_ok());
        assert!(parse_login("  ").unwrap_err().to_string().contains("--login"));
    }
}
