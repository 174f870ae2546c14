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
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("serve", "Serve the web application and the JSON API"),
    ("serve.demo", "Load the demo organisation (MAMH profile) and its users"),
    ("serve.listen", "Listen address ADDR:PORT (default: 127.0.0.1:8080; env BALISE_LISTEN)"),
    ("serve.data_dir", "Data directory (default: ./data; env BALISE_DATA_DIR)"),
    ("serve.database_url", "Database URL: sqlite://FILE or postgres://… (env BALISE_DATABASE_URL)"),
    ("serve.config", "TOML configuration file (env BALISE_CONFIG)"),
    ("serve.organisations", "Organisation profile to serve (preset id or path), repeatable"),
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

    let state = web::AppState::new(store, organisations.clone());
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
    if args.demo {
        crate::demo::print_demo_summary();
    }
    println!("Ctrl+C pour arrêter.");

    application.run_until_stopped(shutdown_signal()).await?;
    println!("Balise arrêté.");
    Ok(ExitCode::SUCCESS)
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
