//! Integration tests: the real binary against real servers on loopback.

mod bounded_input;
mod clean_cases;
mod clean_golden;
mod clean_props;
mod cli_surface;
mod cron_log;
mod defaults_and_help;
mod done_when;
mod dry_run;
mod faults_ftp;
mod faults_http;
mod fetch_ftp;
mod fetch_http;
mod hostile;
mod integrity;
mod interrupts;
mod manifest_rows;
mod mirror_health;
mod outside_fetch;
mod process_limits;
mod report;
mod rerun;
mod scale_out;
mod secrets;
mod util;
mod zips;
