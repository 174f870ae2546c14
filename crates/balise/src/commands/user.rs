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
    /// Lier un compte à l'identité d'une personne chez le fournisseur OpenID Connect.
    LinkOidc(LinkOidcArgs),
    /// Inscrire ou effacer l'adresse courriel d'un compte (sert à lier le compte à la première connexion OpenID Connect).
    Email(EmailArgs),
}

/// Arguments de `balise user link-oidc`.
#[derive(Debug, clap::Args)]
pub struct LinkOidcArgs {
    /// Identifiant de connexion du compte.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub login: String,
    /// Identifiant de la personne chez le fournisseur (revendication « sub »).
    #[arg(long, value_name = "SUJET")]
    pub subject: String,
    /// Émetteur du fournisseur, exactement comme pour `balise serve --oidc-issuer`.
    #[arg(long, value_name = "URL", env = "BALISE_OIDC_ISSUER")]
    pub issuer: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise user email`.
#[derive(Debug, clap::Args)]
pub struct EmailArgs {
    /// Identifiant de connexion du compte.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub login: String,
    /// Adresse courriel (omise : l'adresse est effacée).
    #[arg(long, value_name = "COURRIEL")]
    pub email: Option<String>,
    #[command(flatten)]
    pub store: StoreOptions,
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
    /// Adresse courriel du compte (une première connexion OpenID Connect dont le courriel vérifié est celui-ci lie le compte).
    #[arg(long, value_name = "COURRIEL")]
    pub email: Option<String>,
    /// Identifiant de la personne chez le fournisseur OpenID Connect (« sub »), pour lier le compte dès sa création.
    #[arg(long, value_name = "SUJET", requires = "oidc_issuer")]
    pub oidc_subject: Option<String>,
    /// Émetteur du fournisseur OpenID Connect, exactement comme pour `balise serve --oidc-issuer`.
    #[arg(long, value_name = "URL", env = "BALISE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
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
    ("user add.email", "The account's e-mail address (a first OpenID Connect sign-in whose verified e-mail is this one links the account)"),
    ("user add.oidc_subject", "The person's identifier at the OpenID Connect provider (\"sub\"), to link the account when it is created"),
    ("user add.oidc_issuer", "The OpenID Connect provider's issuer, exactly as for `balise serve --oidc-issuer`"),
    ("user passwd", "Change a person's password (ends their open sessions)"),
    ("user passwd.login", "Sign-in name"),
    ("user passwd.password_stdin", "Read the password from standard input (one line) instead of prompting"),
    ("user list", "Show an organisation's accounts"),
    ("user list.organisation", "Organisation id"),
    ("user token", "Manage a person's API tokens"),
    ("user token create", "Create an API token (shown once) that acts with the person's role"),
    ("user token create.login", "Sign-in name of the person the token belongs to"),
    ("user token create.name", "Token name (e.g. \"Facebook connector\")"),
    ("user link-oidc", "Link an account to the person's identity at the OpenID Connect provider"),
    ("user link-oidc.login", "Sign-in name of the account"),
    ("user link-oidc.subject", "The person's identifier at the provider (the \"sub\" claim)"),
    ("user link-oidc.issuer", "The provider's issuer, exactly as for `balise serve --oidc-issuer`"),
    ("user email", "Set or clear an account's e-mail address (used to link the account at the first OpenID Connect sign-in)"),
    ("user email.login", "Sign-in name of the account"),
    ("user email.email", "E-mail address (omitted: the address is cleared)"),
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
            if let Some(email) = &add.email {
                let email = parse_email(email)?;
                store.set_user_email(&by, created.id, Some(&email)).await.map_err(|error| email_error(error, &email))?;
                println!("  courriel : {email}");
            }
            if let (Some(subject), Some(issuer)) = (&add.oidc_subject, &add.oidc_issuer) {
                let identity = oidc_identity(issuer, subject)?;
                store.link_oidc_identity(&by, created.id, &identity).await.map_err(|error| link_error(error, &identity))?;
                println!("  lié à l'identité « {} » de {}", identity.subject, identity.issuer);
            }
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
        UserCommand::LinkOidc(link) => {
            let store = open_store(&link.store).await?;
            let by = actor(&link.store)?;
            let user = existing_user(&store, &link.login).await?;
            let identity = oidc_identity(&link.issuer, &link.subject)?;
            store.link_oidc_identity(&by, user.id, &identity).await.map_err(|error| link_error(error, &identity))?;
            println!("{} est lié à l'identité « {} » de {}", user.login, identity.subject, identity.issuer);
        }
        UserCommand::Email(email_args) => {
            let store = open_store(&email_args.store).await?;
            let by = actor(&email_args.store)?;
            let user = existing_user(&store, &email_args.login).await?;
            match &email_args.email {
                Some(text) => {
                    let email = parse_email(text)?;
                    store.set_user_email(&by, user.id, Some(&email)).await.map_err(|error| email_error(error, &email))?;
                    println!("courriel de {} : {email}", user.login);
                }
                None => {
                    store.set_user_email(&by, user.id, None).await?;
                    println!("courriel de {} effacé", user.login);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn existing_user(store: &Store, login: &str) -> anyhow::Result<domain::entities::User> {
    let parsed = parse_login(login)?;
    store.get_user_by_login(&parsed).await?.with_context(|| format!("--login : aucun compte « {login} »"))
}

fn parse_email(text: &str) -> anyhow::Result<store::auth::EmailAddress> {
    store::auth::EmailAddress::parse(text).map_err(|error| anyhow::anyhow!("--email : {error}"))
}

fn email_error(error: store::StoreError, email: &store::auth::EmailAddress) -> anyhow::Error {
    match error {
        store::StoreError::AlreadyExists { .. } => anyhow::anyhow!("--email : l'adresse {email} est déjà celle d'un autre compte"),
        other => other.into(),
    }
}

/// The identity to link: the issuer exactly as `balise serve` is given it (the ID token's
/// `iss` must equal it), and a subject without control characters.
fn oidc_identity(issuer: &str, subject: &str) -> anyhow::Result<store::auth::OidcIdentity> {
    let issuer = issuer.trim();
    anyhow::ensure!(
        issuer.starts_with("https://") || issuer.starts_with("http://"),
        "--issuer : l'émetteur doit être une adresse https://… (reçu « {issuer} »)"
    );
    anyhow::ensure!(
        !subject.is_empty() && subject.len() <= 255 && !subject.chars().any(char::is_control) && subject.trim() == subject,
        "--subject : l'identifiant chez le fournisseur doit compter de 1 à 255 octets, sans espace autour ni caractère de contrôle"
    );
    Ok(store::auth::OidcIdentity { issuer: issuer.to_owned(), subject: subject.to_owned() })
}

fn link_error(error: store::StoreError, identity: &store::auth::OidcIdentity) -> anyhow::Error {
    match error {
        store::StoreError::AlreadyExists { .. } => {
            anyhow::anyhow!("l'identité « {} » de {} est déjà liée à un autre compte", identity.subject, identity.issuer)
        }
        other => other.into(),
    }
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
    fn oidc_identities_are_checked() {
        let identity = oidc_identity(" https://idp.exemple.gouv.qc.ca ", "sujet-1").unwrap();
        assert_eq!(identity.issuer, "https://idp.exemple.gouv.qc.ca");
        assert!(oidc_identity("idp.exemple", "sujet").unwrap_err().to_string().contains("--issuer"));
        assert!(oidc_identity("https://idp.exemple", " sujet").unwrap_err().to_string().contains("--subject"));
        assert!(oidc_identity("https://idp.exemple", "").unwrap_err().to_string().contains("--subject"));
        assert!(parse_email("pas-une-adresse").unwrap_err().to_string().contains("--email"));
    }

    #[test]
    fn logins_are_checked() {
        assert!(parse_login("c.tremblay").is_ok());
        assert!(parse_login("  ").unwrap_err().to_string().contains("--login"));
    }
}
