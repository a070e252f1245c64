//! Integration tests: the real binary against real servers on loopback.

mod clean_cases;
mod clean_golden;
mod clean_props;
mod cli_surface;
mod dry_run;
mod fetch_ftp;
mod fetch_http;
mod manifest_rows;
mod util;
mod zips;
