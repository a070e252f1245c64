//! What identifies one version of a mirror's file, as its server tells it,
//! and whether two such descriptions are of the same version.
//!
//! Each transport says something different: HTTP an `ETag` and a
//! `Last-Modified` date (or, on a server that sends neither, a folder
//! index's date and size); FTP a size and either an `MDTM` stamp or the
//! date of its `ls -l` listing; a local mirror a size and a modification
//! time in nanoseconds. A description is kept with each book's copy
//! ([`crate::provenance`]) and compared with what the mirror says later.

use serde::{Deserialize, Serialize};

/// What identifies one version of a file, as its server tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The file's size, as the server gave it (or the bytes received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// FTP `MDTM` or a local file's modification time (nanoseconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The date a folder listing showed for it: an FTP `ls -l` date
    /// (`Nov 22 03:00`, `Nov 22  2019`) or an HTTP index's (`22-Nov-2026 03:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<String>,
}

impl Validators {
    /// Whether it holds anything that tells versions of the same size apart.
    pub fn dated(&self) -> bool {
        self.etag.is_some() || self.last_modified.is_some() || self.modified.is_some() || self.listed.is_some()
    }

    /// Takes what `other` says where this says nothing.
    pub fn fill_from(&mut self, other: Validators) {
        self.etag = self.etag.take().or(other.etag);
        self.last_modified = self.last_modified.take().or(other.last_modified);
        self.size = self.size.or(other.size);
        self.modified = self.modified.take().or(other.modified);
        self.listed = self.listed.take().or(other.listed);
    }
}

/// How a file's version now compares with the one kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compared {
    /// Every validator both sides have agrees, and one of them is a date or a tag.
    Same,
    /// Only the sizes could be compared, and they agree.
    SameSize,
    /// This differs (for the report).
    Changed(String),
}

/// Compares what was kept (`old`) with what the mirror says now (`now`),
/// on every validator both have: a tag, the dates, the size.
pub fn compare(old: &Validators, now: &Validators) -> Compared {
    if let (Some(a), Some(b)) = (&old.etag, &now.etag) {
        return if a == b { Compared::Same } else { Compared::Changed(format!("ETag {a} → {b}")) };
    }
    if let (Some(a), Some(b)) = (old.size, now.size) {
        if a != b {
            return Compared::Changed(format!("size {a} → {b} bytes"));
        }
    }
    let mut dated = false;
    for (what, a, b) in [
        ("Last-Modified", &old.last_modified, &now.last_modified),
        ("modification time", &old.modified, &now.modified),
        ("listed date", &old.listed, &now.listed),
    ] {
        if let (Some(a), Some(b)) = (a, b) {
            if !same_date(a, b) {
                return Compared::Changed(format!("{what} {a} → {b}"));
            }
            dated = true;
        }
    }
    match (dated, old.size.is_some() && now.size.is_some()) {
        (true, _) => Compared::Same,
        (false, true) => Compared::SameSize,
        (false, false) => Compared::Changed("nothing to compare it by".to_owned()),
    }
}

/// Whether two dates name the same moment. An `ls -l` date is shown with
/// its time while it is within six months (`Nov 22 03:00`), then with its
/// year instead (`Nov 22  2026`): a file does not change by growing old, so
/// a time and a year agree when the month and day do and the year is
/// recent enough (this year or last) for the time to have been shown.
fn same_date(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let (a, b) = (words(a), words(b));
    if a == b {
        return true;
    }
    let this_year = time::OffsetDateTime::now_utc().year();
    match (&a[..], &b[..]) {
        ([month_a, day_a, last_a], [month_b, day_b, last_b]) if month_a == month_b && day_a == day_b => {
            let year = |s: &str| s.parse::<i32>().ok();
            match (last_a.contains(':'), last_b.contains(':')) {
                (true, false) => year(last_b).is_some_and(|y| y >= this_year - 1),
                (false, true) => year(last_a).is_some_and(|y| y >= this_year - 1),
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(size: Option<u64>, listed: Option<&str>) -> Validators {
        Validators { size, listed: listed.map(str::to_owned), ..Validators::default() }
    }

    #[test]
    fn a_tag_decides_alone_then_sizes_then_dates() {
        let tagged = |tag: &str, size| Validators { etag: Some(tag.into()), size: Some(size), ..Default::default() };
        assert_eq!(compare(&tagged("\"a\"", 1), &tagged("\"a\"", 1)), Compared::Same);
        assert!(matches!(compare(&tagged("\"a\"", 1), &tagged("\"b\"", 1)), Compared::Changed(_)));
        assert!(matches!(compare(&v(Some(1), None), &v(Some(2), None)), Compared::Changed(_)));
        assert_eq!(compare(&v(Some(1), None), &v(Some(1), None)), Compared::SameSize);
        assert_eq!(compare(&v(Some(1), Some("Nov 22 03:00")), &v(Some(1), Some("Nov 22 03:00"))), Compared::Same);
        assert!(matches!(
            compare(&v(Some(1), Some("Nov 22 03:00")), &v(Some(1), Some("Nov 22 03:01"))),
            Compared::Changed(_)
        ));
        assert!(matches!(compare(&v(None, None), &v(None, None)), Compared::Changed(_)));
    }

    #[test]
    fn a_listed_date_that_ages_from_time_to_year_is_the_same_date() {
        let year = time::OffsetDateTime::now_utc().year();
        assert!(same_date("Nov 22 03:00", &format!("Nov  22  {year}")));
        assert!(same_date(&format!("Nov 22  {}", year - 1), "Nov 22 03:00"));
        assert!(!same_date("Nov 22  2019", "Nov 22 03:00"), "regenerated on the same day years later");
        assert!(!same_date("Nov 22 03:00", "Nov 23  2026"));
        assert!(!same_date("Nov 22  2025", "Nov 22  2026"));
        assert!(same_date("22-Nov-2026 03:00", "22-Nov-2026  03:00"));
        assert!(!same_date("22-Nov-2026 03:00", "22-Nov-2026 03:01"));
    }
}
