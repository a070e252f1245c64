//! gutenfetch: batch ingestion of Project Gutenberg plain texts.
pub mod clean;
