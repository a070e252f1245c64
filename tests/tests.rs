//! Integration tests: the real binary against real servers on loopback.

mod fetch_ftp;
mod manifest_rows;
mod util;
