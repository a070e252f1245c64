//! Serves a folder as an anonymous FTP mirror on loopback, to try gutenfetch
//! without a network or an FTP daemon:
//!
//! ```text
//! cargo run --example serve_mirror -- tests/fixtures/mirror 127.0.0.1:2121
//! ```
//!
//! It is the same in-process server (libunftp) the integration tests use.

#[allow(dead_code)]
#[path = "../tests/util/ftp_server.rs"]
mod ftp_server;
#[path = "../tests/util/server_thread.rs"]
mod server_thread;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), addr) = (args.next(), args.next().unwrap_or_else(|| "127.0.0.1:2121".to_owned())) else {
        eprintln!("usage: serve_mirror FOLDER [ADDR:PORT]");
        std::process::exit(2);
    };
    let root = std::path::PathBuf::from(root);
    if !root.is_dir() {
        eprintln!("serve_mirror: {} is not a folder", root.display());
        std::process::exit(2);
    }
    let server = ftp_server::FtpServer::anonymous_at(&root, &addr);
    println!("serving {} at {} (Ctrl-C to stop)", root.display(), server.url());
    loop {
        std::thread::park();
    }
}
