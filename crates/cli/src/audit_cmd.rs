//! `chance-navi audit …`: verifying the audit chain against its key and
//! against checkpoints kept by outsiders, signing checkpoints on demand, and
//! the schedule in `serve` that signs one a day (or every thousand entries)
//! on one node.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use domain::audit::{Checkpoint, CheckpointDocument, PublicKey};
use store::{AUDIT_SCHEMA_VERSION, Store, StoreError};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check every keyed hash and checkpoint; exit 1 naming the first bad entry
    ///
    /// Recomputes every keyed hash of the audit log and holds the chain to
    /// every stored checkpoint and to those given with --checkpoints; names
    /// the first entry that was edited, rewritten, inserted or deleted
    /// (truncation included), and exits 1 if there is one or if a
    /// checkpoint's signature is not this server's. Only reads: it never
    /// migrates, refuses a schema that is too old, and never makes a key.
    Verify {
        /// Checkpoints kept outside the portal, in the published JSON form
        /// (/audit/checkpoints.json); may be given several times
        #[arg(long = "checkpoints", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
    },
    /// Sign a checkpoint of the chain's head now and print it
    ///
    /// Verifies the entries since the newest checkpoint first (no checkpoint
    /// is signed over a broken chain). `serve` signs one a day, or every
    /// 1,000 entries, on its own.
    Checkpoint {
        /// Print it in the published JSON form
        #[arg(long)]
        json: bool,
    },
    /// Print the newest checkpoint with the public key (for the monthly report)
    ///
    /// In Japanese, or in the published JSON form with --json. Only reads.
    LatestCheckpoint {
        /// Print it in the published JSON form
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(args: AuditArgs, settings: &Settings) -> Result<()> {
    match args.command {
        AuditCommand::Verify { checkpoints } => verify(settings, &checkpoints).await,
        AuditCommand::Checkpoint { json } => checkpoint(settings, json).await,
        AuditCommand::LatestCheckpoint { json } => latest(settings, json).await,
    }
}

/// The database opened read-only with the audit key (never a new one), once
/// its schema is known to hold the keyed chain.
async fn open_for_reading(settings: &Settings) -> Result<Store> {
    let keys = settings.audit_key.load()?;
    let store = Store::connect_read_only(&settings.database, &settings.pool()).await?;
    let applied = store.applied_versions().await?;
    if !applied.contains(&AUDIT_SCHEMA_VERSION) {
        let at = applied.last().copied().unwrap_or(0);
        store.close().await;
        bail!(
            "the database at {} has schema version {at}; checking the audit log needs version {AUDIT_SCHEMA_VERSION} (keyed hashes and checkpoints) or later. This command never changes the database: run `chance-navi migrate` (or start `serve`) with this version first",
            store.target()
        );
    }
    Ok(store.with_audit_keys(keys))
}

/// Reads a kept checkpoints file; each checkpoint named by its place in it.
fn read_kept(path: &Path, ours: &PublicKey) -> Result<Vec<(Checkpoint, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the checkpoints file {}", path.display()))?;
    let doc: CheckpointDocument = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a checkpoints document", path.display()))?;
    let (key, checkpoints) = doc.read().map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if key != *ours {
        bail!(
            "{}: its public key {} is not this server's ({}): the checkpoints were not made with this audit key",
            path.display(),
            key.to_hex(),
            ours.to_hex()
        );
    }
    Ok(checkpoints
        .into_iter()
        .enumerate()
        .map(|(i, cp)| {
            let origin = format!("checkpoint {} of {}", i + 1, path.display());
            (cp, origin)
        })
        .collect())
}

async fn verify(settings: &Settings, files: &[PathBuf]) -> Result<()> {
    let store = open_for_reading(settings).await?;
    let ours = store
        .audit_public_key()
        .ok_or_else(|| anyhow!("the audit key is not loaded"))?;
    let mut kept = Vec::new();
    for file in files {
        kept.extend(read_kept(file, &ours)?);
    }
    let v = store.verify_audit_chain_with(&kept).await;
    store.close().await;
    let v = v?;
    for why in &v.refused {
        eprintln!("refused: {why}");
    }
    if let Some((seq, why)) = &v.first_broken {
        bail!("audit log broken at entry {seq}: {why}");
    }
    if !v.refused.is_empty() {
        bail!(
            "{} checkpoint(s) refused: forged, or signed with another key",
            v.refused.len()
        );
    }
    let unkeyed = (v.keyed_from - 1).min(v.entries);
    println!(
        "audit log intact: {} entries ({} from before the audit key, unkeyed), held to {} checkpoint(s)",
        v.entries, unkeyed, v.checkpoints
    );
    if v.checkpoints == 0 && v.entries > 0 {
        println!(
            "note: no checkpoint held the chain, so deleting the newest entries would not show; keep copies of /audit/checkpoints.json outside and pass them with --checkpoints"
        );
    }
    Ok(())
}

fn print_checkpoint(cp: &Checkpoint, public: &PublicKey, json: bool) -> Result<()> {
    if json {
        let doc = CheckpointDocument::new(public, std::slice::from_ref(cp));
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{}", cp.report(public));
    }
    Ok(())
}

async fn checkpoint(settings: &Settings, json: bool) -> Result<()> {
    let store = settings.store().await?;
    store.migrate().await?;
    let made = store.make_audit_checkpoint(crate::accounts::now_ms()).await;
    store.close().await;
    let cp = match made {
        Ok(cp) => cp,
        Err(StoreError::AuditBroken { seq, why }) => {
            bail!("audit log broken at entry {seq}: {why}; no checkpoint was made")
        }
        Err(e) => return Err(e.into()),
    };
    let public = store
        .audit_public_key()
        .ok_or_else(|| anyhow!("the audit key is not loaded"))?;
    print_checkpoint(&cp, &public, json)
}

async fn latest(settings: &Settings, json: bool) -> Result<()> {
    let store = open_for_reading(settings).await?;
    let newest = store.audit_checkpoints(1).await;
    store.close().await;
    let Some(cp) = newest?.into_iter().next() else {
        bail!("no checkpoint yet: `chance-navi audit checkpoint` makes one");
    };
    let public = store
        .audit_public_key()
        .ok_or_else(|| anyhow!("the audit key is not loaded"))?;
    print_checkpoint(&cp, &public, json)
}

/// Inside `serve`: every `every`, the node holding the `audit-checkpoint`
/// lease signs a checkpoint when one is due (`domain::audit::checkpoint_due`).
/// The first look is at start-up, so an upgraded chain is pinned at once.
pub async fn run_checkpointer(
    store: Store,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let holder = format!("{}-{}", std::process::id(), web::auth::random_token());
    loop {
        let now = crate::accounts::now_ms();
        match store
            .try_acquire_lease("audit-checkpoint", &holder, every, now)
            .await
        {
            Ok(true) => checkpoint_if_due(&store, now).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "audit checkpoint lease could not be read"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn checkpoint_if_due(store: &Store, now: i64) {
    let due = async {
        let head = store.audit_head().await?;
        let newest = store.audit_checkpoints(1).await?;
        Ok::<_, StoreError>(domain::audit::checkpoint_due(newest.first(), head.seq, now))
    };
    match due.await {
        Ok(false) => {}
        Ok(true) => match store.make_audit_checkpoint(now).await {
            Ok(cp) => tracing::info!(audit.seq = cp.seq, "audit checkpoint signed"),
            Err(StoreError::AuditBroken { seq, why }) => tracing::error!(
                audit.seq = seq,
                reason = %why,
                "the audit log does not verify: no checkpoint was signed"
            ),
            Err(e) => tracing::warn!(error = %e, "audit checkpoint could not be made"),
        },
        Err(e) => tracing::warn!(error = %e, "audit head could not be read"),
    }
}
