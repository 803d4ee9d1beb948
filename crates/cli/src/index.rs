//! `chance-navi index …`: the search index is derived from the database and
//! can be thrown away and built again at any time.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
    /// Throw the search index away and build it again from the database
    /// (stop `serve` on this data directory first; it holds the index)
    Rebuild,
}

pub async fn run(args: IndexArgs, settings: &Settings) -> Result<()> {
    let IndexCommand::Rebuild = args.command;
    let store = store::Store::connect(&settings.database, &settings.pool()).await?;
    store.migrate().await?;
    let dir = settings.data_dir.join("index");
    let index = search::SearchIndex::open_or_create(&dir).with_context(|| {
        format!(
            "cannot open the search index in {} (is chance-navi serve running on this data directory?)",
            dir.display()
        )
    })?;
    let started = std::time::Instant::now();
    let n = search::follow::rebuild(&store, &index).await?;
    store.close().await;
    println!(
        "search index rebuilt: {n} cases read, {} searchable, up to change {} ({:.1} s)",
        index.num_docs(),
        index.indexed_seq(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
