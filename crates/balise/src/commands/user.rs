//! `balise user` (filled in by the work on this area).

use std::process::ExitCode;

/// (en construction)
#[derive(Debug, clap::Args)]
pub struct UserArgs {}

pub const HELP_EN: &[(&str, &str)] = &[("user", "(under construction)")];

pub async fn run(_args: UserArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("commande en construction")
}
