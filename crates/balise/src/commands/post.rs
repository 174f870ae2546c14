//! `balise post` (filled in by the work on this area).

use std::process::ExitCode;

/// (en construction)
#[derive(Debug, clap::Args)]
pub struct PostArgs {}

pub const HELP_EN: &[(&str, &str)] = &[("post", "(under construction)")];

pub async fn run(_args: PostArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("commande en construction")
}
