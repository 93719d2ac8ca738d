//! Background tasks that outlive a panic: the task is logged and started again, so the callers
//! that depend on it get an error for the work it dropped, never a dead end.

use std::future::Future;
use std::time::Duration;

/// How long a task that panicked rests before it starts again: a task that panics at once
/// every time must not spin a core or flood the log.
const RESTART_PAUSE: Duration = Duration::from_millis(100);

/// Spawns the task `start` makes, and when it panics, logs the panic and spawns a new one.
/// Ends when a run returns (its input closed) or is cancelled (the runtime is shutting down).
///
/// What a run must carry over to the next (the receiving end of its queue) it shares, for
/// example in an `Arc<tokio::sync::Mutex<_>>`, which a panic releases without poisoning.
pub fn spawn_supervised<F, Fut>(name: &'static str, mut start: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(start()).await {
                Ok(()) => return,
                Err(err) if err.is_panic() => {
                    let panic = err.into_panic();
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    tracing::error!(task = name, %message, "a background task panicked; restarting it");
                    tokio::time::sleep(RESTART_PAUSE).await;
                }
                Err(_) => return,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_task_that_panics_is_started_again() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (done, finished) = tokio::sync::oneshot::channel();
        let done = Arc::new(std::sync::Mutex::new(Some(done)));
        let counted = runs.clone();
        spawn_supervised("test", move || {
            let run = counted.fetch_add(1, Ordering::SeqCst);
            let done = done.clone();
            async move {
                if run == 0 {
                    panic!("the first run fails");
                }
                if let Some(done) = done.lock().unwrap().take() {
                    let _ = done.send(());
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(5), finished)
            .await
            .expect("the task ran again after its panic")
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
