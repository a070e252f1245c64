//! The background thread a test server runs on, stopped and joined when the
//! server is dropped, so no test leaves a server running.

/// A server's thread and the signal that stops it.
pub struct ServerThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    pub fn new(stop: tokio::sync::oneshot::Sender<()>, thread: std::thread::JoinHandle<()>) -> Self {
        ServerThread { stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
