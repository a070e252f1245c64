//! Whether the mirror's root looks like a Gutenberg tree. Asked once, when
//! the first book looked for is not there and none has been found yet: a
//! `--mirror` one folder off gives "not found" for every book, where one
//! line saying so, with the root nearby when one is visible, is what helps.

use super::health::{Stop, StopKind};
use super::{Listing, Session};

/// Lists the root through `session`; a stop when it is clearly not a
/// Gutenberg tree. `None` when it is one, or when the server will not say.
pub async fn check(session: &mut Session<'_>) -> Option<Stop> {
    // "./", not "": an FTP `STAT` without a path is the server's status.
    let listing = session.list("./").await.ok()?;
    verdict(&listing, &session.url_of(""))
}

fn verdict(listing: &Listing, root: &str) -> Option<Stop> {
    let names = match listing {
        // No listing: nothing to tell from.
        Listing::Unavailable => return None,
        Listing::Missing => {
            let reason = format!("the mirror root {root} does not exist: check --mirror");
            return Some(Stop::new(StopKind::WrongRoot, reason));
        }
        Listing::Names(names) => names,
    };
    let names: Vec<&str> = names.iter().filter_map(|name| name.trim_end_matches('/').rsplit('/').next()).collect();
    if names.iter().any(|name| is_gutenberg_entry(name)) {
        return None;
    }
    let hint = match names.iter().find(|name| name.to_ascii_lowercase().contains("gutenberg")) {
        Some(nearby) => format!("; the Gutenberg tree may be {root}{}/", crate::terminal_safe::terminal_safe(nearby)),
        None => String::new(),
    };
    let reason = format!(
        "the mirror root {root} does not look like a Gutenberg tree (no digit folders, no GUTINDEX files): \
         check --mirror{hint}"
    );
    Some(Stop::new(StopKind::WrongRoot, reason))
}

/// A digit folder (`1/` … `9/`), an index (`GUTINDEX.ALL`) or the generated collection (`cache/`).
fn is_gutenberg_entry(name: &str) -> bool {
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
        || name.to_ascii_uppercase().starts_with("GUTINDEX")
        || name == "cache"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Listing {
        Listing::Names(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn a_gutenberg_root_passes_and_a_wrong_one_gets_a_hint() {
        let root = "ftp://127.0.0.1:21/";
        assert_eq!(verdict(&names(&["1", "2", "GUTINDEX.ALL"]), root), None);
        assert_eq!(verdict(&names(&["GUTINDEX.2020", "README"]), root), None);
        assert_eq!(verdict(&names(&["cache/"]), root), None);
        assert_eq!(verdict(&Listing::Unavailable, root), None);
        let stop = verdict(&names(&["pub/", "gutenberg/", "README"]), root).unwrap();
        assert_eq!(stop.kind, StopKind::WrongRoot);
        assert!(
            stop.reason.ends_with("check --mirror; the Gutenberg tree may be ftp://127.0.0.1:21/gutenberg/"),
            "{}",
            stop.reason
        );
        let stop = verdict(&names(&["etc", "tmp"]), root).unwrap();
        assert!(stop.reason.ends_with("check --mirror"), "{}", stop.reason);
        assert!(verdict(&Listing::Missing, root).unwrap().reason.contains("does not exist"));
    }
}
