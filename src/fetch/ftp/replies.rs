//! What FTP servers answer, read: reply codes that matter for retrying, the
//! size in a 150 reply, the names in a STAT listing. Pure functions, so the
//! many shapes servers use can be tested without a server.

use suppaftp::tokio::AsyncFtpStream;
use suppaftp::types::Response;
use suppaftp::{FtpError, Status};

use crate::terminal_safe::terminal_safe;

/// Why a connection could not be made, for the retry policy.
pub(super) enum Refusal {
    /// 421: too many users.
    Busy,
    /// A dropped connection, a 4xx reply: the next try may work.
    Passing,
    /// A 5xx reply other than a refused login.
    Final,
    /// No answer at the connection level: not resolved, refused, unreachable.
    Unreachable,
    /// 530 to USER or PASS: the login is wrong, for every book alike.
    Login,
    /// No socket: the process ran out of file descriptors.
    NoDescriptors,
}

impl Refusal {
    /// Why connecting (up to and including the greeting) failed.
    pub(super) fn of_connect(err: &FtpError) -> Refusal {
        match err {
            FtpError::ConnectionError(_) => Refusal::Unreachable,
            _ => Refusal::of(err),
        }
    }

    /// Why logging in failed.
    pub(super) fn of_login(err: &FtpError) -> Refusal {
        match err {
            FtpError::UnexpectedResponse(reply) if reply.status.code() == 530 => Refusal::Login,
            _ => Refusal::of(err),
        }
    }

    pub(super) fn of(err: &FtpError) -> Refusal {
        match err {
            _ if is_busy(err) => Refusal::Busy,
            FtpError::ConnectionError(io) if crate::fetch::error::out_of_descriptors(io) => Refusal::NoDescriptors,
            FtpError::UnexpectedResponse(reply) if reply.status.code() >= 500 => Refusal::Final,
            _ => Refusal::Passing,
        }
    }
}

/// 421: "service not available, closing control connection", what servers
/// say when they have too many users.
pub(super) fn is_busy(err: &FtpError) -> bool {
    matches!(err, FtpError::UnexpectedResponse(reply) if reply.status.code() == 421)
}

/// One entry of a STAT listing: its name as the server wrote it (untrusted)
/// and, for a regular file, its size and its date as listed (`Nov 22 03:00`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct StatEntry {
    pub name: String,
    pub size: Option<u64>,
    pub date: Option<String>,
}

/// The entries in a STAT reply: `ls -l` lines between the reply's first
/// and last line, some servers putting an entry on those lines too. `None`
/// when the reply holds no entry at all, not even `.`: that is how vsftpd
/// answers for a folder that does not exist.
pub(super) fn stat_listing(reply: &[u8]) -> Option<Vec<StatEntry>> {
    let mut entries = 0;
    let listed = String::from_utf8_lossy(reply)
        .lines()
        .filter_map(|line| {
            let line = line.trim_end_matches('\r');
            let coded = line.len() >= 4 && line.as_bytes()[..3].iter().all(u8::is_ascii_digit);
            let line = if coded && matches!(line.as_bytes()[3], b'-' | b' ') { &line[4..] } else { line };
            // An ls -l line starts with its type and nine permission letters.
            let kind = *line.as_bytes().first()?;
            if line.len() < 10 || !matches!(kind, b'-' | b'd' | b'l') {
                return None;
            }
            let line = line.split(" -> ").next().unwrap_or(line);
            // The name is all that follows the eighth field (mode, links, owner,
            // group, size, month, day, time or year), spaces and all; the size
            // is the fifth, and only a regular file's is the file's.
            let name = after_fields(line, 8)?;
            let fields = || line.split(' ').filter(|f| !f.is_empty());
            let size = (kind == b'-').then(|| fields().nth(4)?.parse().ok()).flatten();
            let date = (kind == b'-').then(|| fields().skip(5).take(3).collect::<Vec<_>>().join(" "));
            entries += 1;
            (name != "." && name != "..").then(|| StatEntry { name: name.to_owned(), size, date })
        })
        .collect();
    (entries > 0).then_some(listed)
}

/// The port in a PASV reply, `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`,
/// or an EPSV reply, `229 Entering Extended Passive Mode (|||port|)`. The
/// address in a PASV reply is ignored: the data connection always goes to
/// the control connection's own address.
pub(super) fn passive_port(reply: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(reply);
    let inside = &text[text.find('(')? + 1..];
    let inside = &inside[..inside.find(')')?];
    if let Some(epsv) = inside.strip_prefix("|||") {
        return epsv.strip_suffix('|')?.parse().ok();
    }
    let numbers: Vec<u16> = inside.split(',').map(|n| n.trim().parse().ok()).collect::<Option<_>>()?;
    match numbers[..] {
        [_, _, _, _, hi, lo] if hi < 256 && lo < 256 => Some(hi * 256 + lo),
        _ => None,
    }
}

/// The next reply on the control connection, whatever its code: for
/// pipelined commands, whose replies are told apart by their codes.
pub(super) async fn reply_of(conn: &mut AsyncFtpStream) -> Result<Response, FtpError> {
    match conn.read_response_in(&[Status::ClosingDataConnection]).await {
        Ok(reply) => Ok(reply),
        Err(FtpError::UnexpectedResponse(reply)) => Ok(reply),
        Err(err) => Err(err),
    }
}

/// What follows the first `n` space-separated fields of `line`.
fn after_fields(line: &str, n: usize) -> Option<&str> {
    let mut rest = line;
    for _ in 0..n {
        rest = rest.trim_start_matches(' ');
        rest = &rest[rest.find(' ')?..];
    }
    let name = rest.trim_start_matches(' ');
    (!name.is_empty()).then_some(name)
}

/// The size in a 150 reply such as `150 Opening BINARY mode data connection
/// for 418.txt (242634 bytes).`, when the server gives one.
pub(super) fn announced_size(reply: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(reply);
    let end = text.rfind(" bytes)")?;
    let start = text[..end].rfind('(')? + 1;
    text[start..end].trim().parse().ok()
}

/// A one-line description of an FTP error, safe to print.
pub(super) fn describe(err: &FtpError) -> String {
    let text = match err {
        FtpError::UnexpectedResponse(reply) => {
            let body = String::from_utf8_lossy(&reply.body);
            let body = body.trim();
            let code = reply.status.code().to_string();
            // The body usually starts with the code already.
            if body.starts_with(&code) {
                body.to_owned()
            } else {
                format!("{code} {body}")
            }
        }
        other => other.to_string(),
    };
    terminal_safe(&text).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stat_listings_of_vsftpd_and_libunftp_give_names() {
        let vsftpd = "213-Status follows:\r\ndrwxr-xr-x    3 0        0            4096 Nov 22 03:12 .\r\n\
                      drwxr-xr-x    2 0        0            4096 Nov 22 03:12 418-h\r\n\
                      -rw-r--r--    1 0        0          242634 Nov 22 03:12 418.txt\r\n\
                      -rw-r--r--    1 0        0          234179 Nov 22 03:12 418.txt.19960101\r\n213 End of status\r\n";
        assert_eq!(names(vsftpd), ["418-h", "418.txt", "418.txt.19960101"]);
        let libunftp =
            "200--rw-r--r--            1            0            0         234179 Nov 22 03:12 418.txt.19960101\n\
                        -rw-r--r--            1            0            0         242634 Nov 22 03:12 418.txt\n\
                        200 drwxr-xr-x            2            0            0           4096 Nov 22 03:12 418-h\n";
        assert_eq!(names(libunftp), ["418.txt.19960101", "418.txt", "418-h"]);
        // vsftpd's answer for a missing folder: no entry at all, where an empty one has `.` and `..`.
        assert_eq!(super::stat_listing(b"213-Status follows:\r\n213 End of status\r\n"), None);
        let empty = "213-Status follows:\r\ndrwxr-xr-x 2 0 0 6 Nov 22 03:12 .\r\ndrwxr-xr-x 3 0 0 6 Nov 22 03:12 ..\r\n213 End\r\n";
        assert_eq!(names(empty), Vec::<String>::new());
        let link = "lrwxrwxrwx 1 0 0 9 Nov 22 03:12 418-0.txt -> ../x.txt\r\n";
        assert_eq!(names(link), ["418-0.txt"]);
        // A name with spaces or a tab is the whole name, not its last word.
        let spaced = "-rw-r--r-- 1 0 0 9 Nov 22  2003 tab\there  x.txt\r\n";
        assert_eq!(names(spaced), ["tab\there  x.txt"]);
    }

    fn names(reply: &str) -> Vec<String> {
        super::stat_listing(reply.as_bytes()).expect("a listing").into_iter().map(|entry| entry.name).collect()
    }

    #[test]
    fn stat_listings_give_the_sizes_of_regular_files() {
        let vsftpd = "213-Status follows:\r\ndrwxr-xr-x    2 0        0            4096 Nov 22 03:12 418-h\r\n\
                      -rw-r--r--    1 0        0          242634 Nov 22 03:12 418 x.txt\r\n\
                      lrwxrwxrwx 1 0 0 9 Nov 22 03:12 418-0.txt -> ../x.txt\r\n213 End of status\r\n";
        let sizes: Vec<_> =
            super::stat_listing(vsftpd.as_bytes()).unwrap().into_iter().map(|entry| (entry.name, entry.size)).collect();
        let expected = [("418-h", None), ("418 x.txt", Some(242634)), ("418-0.txt", None)];
        assert_eq!(sizes, expected.map(|(name, size)| (name.to_owned(), size)));
    }

    #[test]
    fn passive_ports_are_read_from_pasv_and_epsv_replies() {
        let port = |reply: &str| super::passive_port(reply.as_bytes());
        assert_eq!(port("227 Entering Passive Mode (10,77,0,2,136,115).\r\n"), Some(136 * 256 + 115));
        assert_eq!(port("227 Entering Passive Mode (127, 0, 0, 1, 0, 21)"), Some(21));
        assert_eq!(port("229 Entering Extended Passive Mode (|||50123|)\r\n"), Some(50123));
        for bad in ["227 Passive", "227 (1,2,3,4,5)", "227 (1,2,3,4,256,0)", "229 (|||x|)", "227 (1,2,3,4,5,6"] {
            assert_eq!(port(bad), None, "{bad}");
        }
    }

    #[test]
    fn announced_sizes_are_read_from_150_replies() {
        let vsftpd = b"150 Opening BINARY mode data connection for 4/1/418/418.txt (242634 bytes).\r\n";
        assert_eq!(super::announced_size(vsftpd), Some(242634));
        assert_eq!(super::announced_size(b"150 Sending data\r\n"), None);
        assert_eq!(super::announced_size(b"150 x (many bytes)"), None);
    }
}
