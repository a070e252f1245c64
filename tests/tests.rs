//! Integration tests: the real binary against real servers on loopback.

mod fetch_ftp;
mod fetch_http;
mod manifest_rows;
mod util;
mod zips;
