//! `balise serve`: opens the store, loads the organisations, and serves the web application
//! and the JSON API until interrupted.

use crate::config::{Overrides, Settings};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// Servir l'application Web et l'API JSON.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Charger l'organisation de démonstration (profil MAMH) et ses utilisateurs.
    #[arg(long)]
    pub demo: bool,
    /// Adresse d'écoute ADRESSE:PORT (défaut : 127.0.0.1:8080 ; variable BALISE_LISTEN).
    #[arg(long, value_name = "ADRESSE:PORT")]
    pub listen: Option<String>,
    /// Dossier des données (défaut : ./data ; variable BALISE_DATA_DIR).
    #[arg(long, value_name = "DOSSIER")]
    pub data_dir: Option<PathBuf>,
    /// URL de la base de données : sqlite://FICHIER ou postgres://… (variable BALISE_DATABASE_URL).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Fichier de configuration TOML (variable BALISE_CONFIG).
    #[arg(long, value_name = "FICHIER")]
    pub config: Option<PathBuf>,
    /// Profil d'organisation à servir (identifiant de préréglage ou chemin), répétable.
    #[arg(long = "organisation", value_name = "ID|CHEMIN")]
    pub organisations: Vec<String>,
    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// Connexion par un fournisseur d'identité OpenID Connect (optionnelle, pour toute
/// l'installation). Le secret du client se lit seulement dans la variable
/// BALISE_OIDC_CLIENT_SECRET, jamais sur la ligne de commande.
#[derive(Debug, clap::Args)]
pub struct OidcArgs {
    /// Émetteur OpenID Connect (URL https:// du fournisseur d'identité) ; active la connexion par ce fournisseur.
    #[arg(long, value_name = "URL", env = "BALISE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// Identifiant du client Balise auprès du fournisseur.
    #[arg(long, value_name = "ID", env = "BALISE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Adresse de retour inscrite chez le fournisseur (défaut : BALISE_PUBLIC_URL ou l'adresse d'écoute, suivie de /connexion/oidc/retour).
    #[arg(long, value_name = "URL", env = "BALISE_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// Libellé du bouton de la page de connexion (défaut : « Se connecter avec le fournisseur d'identité »).
    #[arg(long, value_name = "TEXTE", env = "BALISE_OIDC_BUTTON_LABEL")]
    pub oidc_button_label: Option<String>,
    /// Portées demandées, séparées par des espaces (défaut : « openid email »).
    #[arg(long, value_name = "PORTÉES", env = "BALISE_OIDC_SCOPES")]
    pub oidc_scopes: Option<String>,
}

/// The environment variable that holds the client secret.
const CLIENT_SECRET_VARIABLE: &str = "BALISE_OIDC_CLIENT_SECRET";

impl OidcArgs {
    /// The checked configuration, `None` when no issuer is given.
    fn config(&self, listen: std::net::SocketAddr) -> anyhow::Result<Option<web::auth::oidc::OidcConfig>> {
        let Some(issuer) = self.oidc_issuer.clone() else {
            anyhow::ensure!(
                self.oidc_client_id.is_none(),
                "--oidc-client-id sans --oidc-issuer : indiquez l'émetteur du fournisseur d'identité"
            );
            return Ok(None);
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .context("--oidc-issuer demande aussi --oidc-client-id (variable BALISE_OIDC_CLIENT_ID)")?;
        let client_secret = std::env::var(CLIENT_SECRET_VARIABLE).map_err(|_| {
            anyhow::anyhow!("--oidc-issuer demande le secret du client dans la variable {CLIENT_SECRET_VARIABLE}")
        })?;
        let redirect_url = match &self.oidc_redirect_url {
            Some(url) => url.clone(),
            None => match std::env::var("BALISE_PUBLIC_URL") {
                Ok(public) if !public.trim().is_empty() => {
                    format!("{}{}", public.trim().trim_end_matches('/'), web::auth::oidc::CALLBACK_PATH)
                }
                _ => format!("http://{listen}{}", web::auth::oidc::CALLBACK_PATH),
            },
        };
        let config = web::auth::oidc::OidcConfig::parse(web::auth::oidc::OidcSettings {
            issuer,
            client_id,
            client_secret,
            redirect_url,
            button_label: self.oidc_button_label.clone(),
            scopes: self.oidc_scopes.clone(),
        })
        .context("configuration OpenID Connect")?;
        Ok(Some(config))
    }
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("serve", "Serve the web application and the JSON API"),
    ("serve.demo", "Load the demo organisation (MAMH profile) and its users"),
    ("serve.listen", "Listen address ADDR:PORT (default: 127.0.0.1:8080; env BALISE_LISTEN)"),
    ("serve.data_dir", "Data directory (default: ./data; env BALISE_DATA_DIR)"),
    ("serve.database_url", "Database URL: sqlite://FILE or postgres://… (env BALISE_DATABASE_URL)"),
    ("serve.config", "TOML configuration file (env BALISE_CONFIG)"),
    ("serve.organisations", "Organisation profile to serve (preset id or path), repeatable"),
    ("serve.oidc_issuer", "OpenID Connect issuer (https:// URL of the identity provider); turns on sign-in through that provider"),
    ("serve.oidc_client_id", "Balise's client id at the provider"),
    ("serve.oidc_redirect_url", "Callback URL registered at the provider (default: BALISE_PUBLIC_URL or the listen address, followed by /connexion/oidc/retour)"),
    ("serve.oidc_button_label", "Words of the sign-in page's button (default: \"Se connecter avec le fournisseur d'identité\")"),
    ("serve.oidc_scopes", "Scopes asked for, space-separated (default: \"openid email\")"),
];

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(Overrides {
        config_file: args.config,
        listen: args.listen,
        data_dir: args.data_dir,
        database_url: args.database_url,
    })?;
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!("création du dossier des données {}", settings.data_dir.display())
    })?;
    let database_url = settings.effective_database_url();
    let store = store::Store::connect(database_url.expose())
        .await
        .with_context(|| format!("ouverture de la base de données {database_url}"))?;

    let mut profile_refs = args.organisations;
    if args.demo && !profile_refs.iter().any(|reference| reference == crate::demo::DEMO_PROFILE) {
        profile_refs.insert(0, crate::demo::DEMO_PROFILE.to_owned());
    }
    let organisations = crate::demo::load_organisations(&store, &profile_refs, args.demo).await?;
    let demo_profile = organisations
        .iter()
        .find(|entry| args.demo && entry.id == crate::demo::DEMO_PROFILE)
        .map(|entry| entry.profile.clone());
    if let Some(profile) = &demo_profile {
        // Before the demo messages, so the respondent's unit is designated when they arrive.
        crate::demo::create_demo_users(&store, profile).await.context("utilisateurs de démonstration")?;
    }

    let oidc_config = args.oidc.config(settings.listen)?;
    let store_for_escalation = store.clone();
    let mut state = web::AppState::new(store, organisations.clone());
    if let Some(config) = oidc_config.clone() {
        state = state.with_oidc(web::auth::oidc::Oidc::new(config).context("connexion OpenID Connect")?);
    }
    // Said at start so a misconfigured provider shows before the first person tries.
    let oidc_check = match state.oidc() {
        Some(oidc) => Some(oidc.check_provider().await),
        None => None,
    };
    let state_pipeline = state.pipeline();
    start_intake_task(state.pipeline());
    let application = web::Application::build(settings.listen, state)
        .await
        .with_context(|| format!("impossible d'écouter sur {}", settings.listen))?;
    let address = application.local_addr()?;

    println!("Balise à l'écoute sur http://{address}/");
    println!("  dossier des données : {}", settings.data_dir.display());
    println!("  base de données     : {database_url}");
    for entry in &organisations {
        println!("  organisation        : {} ({})", entry.id, entry.profile.identity().name);
    }
    match &oidc_config {
        Some(config) => {
            println!("  OpenID Connect      : activé, émetteur {} (client {})", config.issuer(), config.client_id());
            println!("                        adresse de retour {}", config.redirect_url());
            if let Some(Err(error)) = &oidc_check {
                println!("  avertissement       : le fournisseur d'identité ne répond pas correctement ({error})");
            }
        }
        None => println!("  OpenID Connect      : non configuré (--oidc-issuer), connexion locale seulement"),
    }
    if args.demo {
        let messages = crate::demo::load_demo_messages(&state_pipeline).await?;
        crate::demo::print_demo_summary(address, messages);
        if let Some(profile) = &demo_profile {
            crate::demo::print_demo_users(address, profile);
        }
    }
    start_escalation_task(store_for_escalation, &organisations)?;
    println!("Ctrl+C pour arrêter.");

    application.run_until_stopped(shutdown_signal()).await?;
    println!("Balise arrêté.");
    Ok(ExitCode::SUCCESS)
}

/// How often messages stored but not yet processed (after a crash, or an import with
/// `--no-process`) are looked for.
const INTAKE_PERIOD: std::time::Duration = std::time::Duration::from_secs(10);

/// Processes what is pending at start, then keeps looking: nothing acknowledged is left
/// unprocessed after a restart.
fn start_intake_task(pipeline: std::sync::Arc<pipeline::Pipeline>) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(INTAKE_PERIOD);
        loop {
            ticker.tick().await;
            if let Err(error) = pipeline.process_all_pending().await {
                tracing::error!(%error, "intake pass failed");
            }
        }
    });
}

/// How often the deadlines are checked for warnings and breaches.
const ESCALATION_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// When an SMTP relay is configured (`BALISE_SMTP_HOST`…), checks every organisation's
/// deadlines once a minute and sends the warnings and escalations that are due; each
/// pass also moves cases to substitutes during absences.
fn start_escalation_task(
    store: store::Store,
    organisations: &[web::OrganisationEntry],
) -> anyhow::Result<()> {
    let Some(config) = notify::SmtpConfig::from_env()? else {
        println!("  courriels           : aucun relais SMTP configuré (BALISE_SMTP_HOST), rappels désactivés");
        return Ok(());
    };
    println!("  courriels           : rappels et escalades par le relais SMTP configuré");
    let mailer = notify::Mailer::new(&config)?;
    let by = domain::audit::Attribution::by(domain::audit::Actor::system("escalation")?);
    let organisation_ids = organisations
        .iter()
        .map(|entry| domain::entities::OrganisationId::parse(&entry.id))
        .collect::<Result<Vec<_>, _>>()?;
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(ESCALATION_PERIOD);
        loop {
            ticker.tick().await;
            for organisation_id in &organisation_ids {
                let outcome = notify::run_escalation(
                    &store,
                    &by,
                    organisation_id,
                    jiff::Timestamp::now(),
                    Some(&mailer),
                    notify::plan::EscalationRules::default(),
                    false,
                )
                .await;
                if let Err(error) = outcome {
                    tracing::error!(%error, organisation = %organisation_id, "escalation pass failed");
                }
            }
        }
    });
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
