//! `balise case` (filled in by the work on this area).

use std::process::ExitCode;

/// (en construction)
#[derive(Debug, clap::Args)]
pub struct CaseArgs {}

pub const HELP_EN: &[(&str, &str)] = &[("case", "(under construction)")];

pub async fn run(_args: CaseArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("commande en construction")
}
