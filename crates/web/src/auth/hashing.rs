//! Password hashing, bounded: each argon2id hash holds 19 MiB for its whole
//! run, so a burst of sign-ins would otherwise take as much memory as it has
//! requests. Hashes run on `at_once` threads of their own; at most `queue`
//! more requests wait for one; anything beyond is told at once that the
//! portal is busy.
//!
//! Threads of their own rather than tokio's blocking pool: the allocator
//! keeps a freed 19 MiB block in the arena of the thread that used it, and
//! the blocking pool spreads a burst over as many threads (and arenas) as it
//! had requests — hundreds of MiB that stay resident after the burst.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use crate::{ErrorKind, WebError};

/// What a request beyond the queue is told.
pub const BUSY: &str =
    "ただいまログインなどの処理が混み合っています。少し時間をおいてから、もう一度お試しください。";

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug)]
struct Inner {
    jobs: mpsc::Sender<Job>,
    /// Running plus waiting hashes may not exceed this.
    capacity: usize,
    admitted: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
    done: AtomicU64,
}

/// The portal's one gate to password hashing.
#[derive(Debug, Clone)]
pub struct HashLimiter(Arc<Inner>);

/// A place in the queue; it is given back when its hash has run (or when it
/// is dropped unused).
#[derive(Debug)]
pub struct HashTicket(Arc<Inner>);

impl Drop for HashTicket {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashLimiter {
    /// Starts `at_once` hashing threads; they end when the limiter and every
    /// ticket are gone.
    pub fn new(at_once: usize, queue: usize) -> HashLimiter {
        let at_once = at_once.max(1);
        let (jobs, waiting) = mpsc::channel::<Job>();
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..at_once {
            let waiting = waiting.clone();
            let started = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || hash_thread(&waiting));
            if let Err(e) = started {
                tracing::error!(error = %e, "a password hashing thread could not start");
            }
        }
        HashLimiter(Arc::new(Inner {
            jobs,
            capacity: at_once + queue,
            admitted: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            done: AtomicU64::new(0),
        }))
    }

    /// A place in the queue, or 503 with `BUSY` when it is full. Take it
    /// before anything is counted against the user, so that being turned
    /// away for load costs them nothing.
    pub fn ticket(&self) -> Result<HashTicket, WebError> {
        let inner = &self.0;
        let before = inner.admitted.fetch_add(1, Ordering::AcqRel);
        let ticket = HashTicket(inner.clone());
        if before >= inner.capacity {
            drop(ticket);
            tracing::warn!(capacity = inner.capacity, "password hashing queue full");
            return Err(WebError::new(ErrorKind::Unavailable, BUSY));
        }
        Ok(ticket)
    }

    /// The most hashes that ever ran at once.
    pub fn peak(&self) -> usize {
        self.0.peak.load(Ordering::Acquire)
    }

    /// How many hashes have run.
    pub fn computed(&self) -> u64 {
        self.0.done.load(Ordering::Acquire)
    }
}

/// One hashing thread: takes the next job until the limiter is gone.
fn hash_thread(waiting: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // The lock is held only while taking the next job.
        let next = match waiting.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else { return };
        // A panic ends that job (its caller gets an error), not the thread.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
    }
}

impl HashTicket {
    /// Runs `work` (a hash or a verification) on a hashing thread when one is
    /// free. The ticket travels with the work, so a request that gives up
    /// meanwhile still holds its place until the work has run.
    pub async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WebError> {
        // Cloned before the ticket moves into the job.
        let jobs = self.0.jobs.clone();
        let inner = self.0.clone();
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let ticket = self;
            let running = inner.running.fetch_add(1, Ordering::AcqRel) + 1;
            inner.peak.fetch_max(running, Ordering::AcqRel);
            let out = work();
            inner.running.fetch_sub(1, Ordering::AcqRel);
            inner.done.fetch_add(1, Ordering::AcqRel);
            drop(ticket);
            let _ = answer.send(out);
        });
        jobs.send(job).map_err(|_| {
            WebError::internal(std::io::Error::other(
                "the password hashing threads have stopped",
            ))
        })?;
        result.await.map_err(WebError::internal)
    }

    /// Checks `attempt` against a stored hash, or against the decoy when
    /// there is none (an unknown address), which takes the same time.
    pub async fn verify(self, attempt: String, stored: Option<String>) -> Result<bool, WebError> {
        self.run(move || match stored {
            Some(hash) => domain::password_hash::verify(&attempt, &hash),
            None => {
                let _ = domain::password_hash::verify(&attempt, domain::password_hash::decoy());
                false
            }
        })
        .await
    }

    /// Hashes a new password for storage.
    pub async fn hash(self, password: domain::Password) -> Result<String, WebError> {
        self.run(move || domain::password_hash::hash(&password))
            .await?
            .map_err(|e| WebError::internal(std::io::Error::other(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_more_than_the_limit_run_at_once_and_the_rest_wait_or_are_turned_away() {
        let limiter = HashLimiter::new(2, 3);
        let mut tickets = Vec::new();
        for _ in 0..5 {
            tickets.push(limiter.ticket().expect("room for five"));
        }
        let busy = limiter.ticket().expect_err("the sixth is turned away");
        assert_eq!(busy.to_string(), format!("Unavailable: {BUSY}"));
        let runs: Vec<_> = tickets
            .into_iter()
            .map(|t| {
                tokio::spawn(t.run(|| std::thread::sleep(std::time::Duration::from_millis(50))))
            })
            .collect();
        for r in runs {
            r.await.expect("task").expect("ran");
        }
        assert_eq!(limiter.computed(), 5);
        assert_eq!(limiter.peak(), 2);
        // Every place was given back.
        assert!(limiter.ticket().is_ok());
    }

    #[tokio::test]
    async fn a_panic_while_hashing_is_an_error_for_its_request_and_the_threads_go_on() {
        let limiter = HashLimiter::new(1, 0);
        let failed = limiter
            .ticket()
            .expect("room")
            .run(|| -> u8 { panic!("argon2 failed") })
            .await;
        assert!(failed.is_err());
        let ok = limiter.ticket().expect("room again").run(|| 7).await;
        assert_eq!(ok.expect("ran"), 7);
    }
}
