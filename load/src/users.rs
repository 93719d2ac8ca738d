//! Who the sockets sign in as.

use std::path::Path;

use anyhow::Context;

use crate::target::Target;

/// A user the load tool may connect as.
#[derive(Clone, Debug)]
pub struct LoadUser {
    pub username: String,
    pub session_token: String,
}

/// How many sockets a scenario opens, and how many distinct users they sign in as.
#[derive(Debug, clap::Args)]
pub struct Crowd {
    #[arg(long, default_value_t = 1000)]
    pub sockets: usize,
    /// How many distinct users the sockets sign in as, taken in turn (all different when not
    /// given; the server allows 20 sockets per user by default).
    #[arg(long)]
    pub users: Option<usize>,
}

/// Who each socket of `crowd` signs in as. Answers how many distinct users that is, and the user
/// of each socket.
pub async fn for_sockets(
    target: &Target,
    file: Option<&Path>,
    crowd: &Crowd,
) -> anyhow::Result<(usize, Vec<LoadUser>)> {
    let sockets = crowd.sockets;
    let distinct = crowd.users.unwrap_or(sockets).clamp(1, sockets.max(1));
    let people = load(target, file, distinct).await?;
    let each = (0..sockets).map(|i| people[i % distinct].clone()).collect();
    Ok((distinct, each))
}

/// `count` users: the first `count` lines of `file` (from `herald create-load-users`), or, without
/// a file, `count` new people signed up through the API.
pub async fn load(
    target: &Target,
    file: Option<&Path>,
    count: usize,
) -> anyhow::Result<Vec<LoadUser>> {
    match file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let users: Vec<LoadUser> = text
                .lines()
                .filter_map(|line| line.split_once('\t'))
                .map(|(username, token)| LoadUser {
                    username: username.to_owned(),
                    session_token: token.trim().to_owned(),
                })
                .take(count)
                .collect();
            anyhow::ensure!(
                users.len() == count,
                "{} holds {} users; {count} are needed (herald create-load-users --count {count})",
                file.display(),
                users.len()
            );
            Ok(users)
        }
        None => {
            let run = crate::latency::now_micros() % 1_000_000_000;
            let password = format!("load-test-password-{run}");
            let mut users = Vec::with_capacity(count);
            for i in 0..count {
                let username = format!("ld{run}x{i}");
                let session_token = target.sign_up(&username, &password).await?;
                users.push(LoadUser {
                    username,
                    session_token,
                });
            }
            Ok(users)
        }
    }
}
