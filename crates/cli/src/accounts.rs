//! `chance-navi user …`: bootstrapping staff from the command line.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use domain::{EmailAddress, Password, StaffRole};
use store::{Actor, NewUser, Store};

use crate::config::Settings;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a staff user; the password is read from standard input (one line).
    /// Organisation staff are created by an administrator in the admin area.
    Create {
        /// The user's role
        #[arg(long, value_enum)]
        role: CliRole,
        /// Sign-in address
        #[arg(long)]
        email: String,
        /// Name shown to other staff and in the audit log
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CliRole {
    /// 管理者: everything, including masters, case review and exports
    Admin,
    /// 運営者: reviews company applications, answers inquiries
    Operator,
    /// 運用・保守者: access filters, health, imports, backups, audit log
    Ops,
}

pub async fn user(args: UserArgs, settings: &Settings) -> Result<()> {
    let UserCommand::Create { role, email, name } = args.command;
    let email = EmailAddress::parse(&email).map_err(|e| anyhow!("--email: {e}"))?;
    let name = domain::text::tidy(&name);
    if name.is_empty() {
        bail!("--name: the name is empty");
    }
    let password = read_password()?;
    let password = Password::parse(&password).map_err(|e| anyhow!("password: {e}"))?;
    let password_hash = domain::password_hash::hash(&password).map_err(|e| anyhow!(e))?;
    let role = match role {
        CliRole::Admin => StaffRole::Admin,
        CliRole::Operator => StaffRole::Operator,
        CliRole::Ops => StaffRole::Ops,
    };
    let store = open(settings).await?;
    let user = NewUser {
        email,
        name,
        password_hash,
    };
    let id = store
        .create_staff(&user, role, None, &Actor::cli("user create"), now_ms())
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict { .. } => {
                anyhow!("a user with the address {} already exists", user.email)
            }
            other => other.into(),
        })?;
    store.close().await;
    println!("created {} user #{id} <{}>", role.as_str(), user.email);
    Ok(())
}

async fn open(settings: &Settings) -> Result<Store> {
    let store = settings.store().await?;
    store.migrate().await?;
    Ok(store)
}

/// One line from standard input; echo is switched off while a person types it.
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if interactive {
        eprint!("Password: ");
        std::io::stderr().flush()?;
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if interactive {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read.context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input (pipe it in, e.g. `printf '%s\\n' \"$PW\" | chance-navi user create …`)"
        );
    }
    Ok(password)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
