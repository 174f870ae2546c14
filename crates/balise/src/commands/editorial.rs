//! `balise editorial` (filled in by the work on this area).

use std::process::ExitCode;

/// (en construction)
#[derive(Debug, clap::Args)]
pub struct EditorialArgs {}

pub const HELP_EN: &[(&str, &str)] = &[("editorial", "(under construction)")];

pub async fn run(_args: EditorialArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("commande en construction")
}
