//! The `--mirror` URL and `--layout`, parsed into what each transport needs.

use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::redact::redact;

/// The public HTTPS mirror used when neither `--mirror` nor `GUTENFETCH_MIRROR` is given.
pub const DEFAULT_MIRROR: &str = "https://aleph.gutenberg.org/";

/// A Gutenberg mirror to fetch from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mirror {
    Ftp(FtpEndpoint),
    /// An `http://` or `https://` base URL ending in `/`.
    Http(url::Url),
    /// A local copy of a mirror (e.g. made with rsync).
    File(PathBuf),
}

/// How books are laid out on the mirror.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// The main collection: ebook 418 in `4/1/418/`, with `418-0.txt`,
    /// `418-8.txt`, `418.txt`, their zips, and an `old/` subfolder.
    #[default]
    Folders,
    /// The generated collection: `cache/epub/418/pg418.txt`, always UTF-8.
    Generated,
}

/// An FTP server and the folder on it that holds the Gutenberg tree.
#[derive(Clone, PartialEq, Eq)]
pub struct FtpEndpoint {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// Path of the Gutenberg tree relative to the login folder: empty or ending in `/`.
    pub root: String,
}

// Hand-written so the password never reaches a log line.
impl std::fmt::Debug for FtpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FtpEndpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl FtpEndpoint {
    /// The URL of a file under the root, for reports: it names the user but
    /// never the password.
    pub fn url_of(&self, path: &str) -> String {
        let user = if self.user == "anonymous" { String::new() } else { format!("{}@", self.user) };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("ftp://{user}{host}:{}/{}{path}", self.port, self.root)
    }
}

impl Mirror {
    /// Parses `ftp://[user[:password]@]host[:port][/path/]`, `http(s)://host[:port][/path/]`
    /// or `file:///path/`.
    /// A plain path to an existing folder is taken as `file://`.
    /// Errors quote the URL, but never its password.
    pub fn parse(text: &str) -> anyhow::Result<Mirror> {
        let shown = redact(text).into_owned();
        let mut url = match url::Url::parse(text) {
            Ok(url) => url,
            Err(url::ParseError::RelativeUrlWithoutBase) if std::path::Path::new(text).is_dir() => {
                return Ok(Mirror::File(std::path::absolute(text)?));
            }
            Err(err) => bail!("--mirror {shown:?} is not a URL ({err}) nor a folder"),
        };
        let text = shown.as_str();
        // The URL names a folder: make relative joins land inside it.
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        match url.scheme() {
            "ftp" => Ok(Mirror::Ftp(ftp_endpoint(&url)?)),
            "http" | "https" if url.host().is_some() => Ok(Mirror::Http(url)),
            "file" => match url.to_file_path() {
                Ok(path) if path.is_dir() => Ok(Mirror::File(path)),
                Ok(path) => bail!("--mirror {text:?}: {} is not a folder", path.display()),
                Err(()) => bail!("--mirror {text:?}: not a local path (use file:///absolute/path/)"),
            },
            "http" | "https" => bail!("--mirror {text:?}: no host"),
            other => {
                bail!("--mirror {text:?}: unsupported scheme {other:?} (expected https://, http://, ftp:// or file://)")
            }
        }
    }

    /// `HOST:PORT` of the server, for messages about reaching it (the
    /// folder's path for a local mirror).
    pub fn address(&self) -> String {
        let join = |host: &str, port: u16| {
            if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            }
        };
        match self {
            Mirror::Ftp(endpoint) => join(&endpoint.host, endpoint.port),
            Mirror::Http(url) => {
                let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
                join(host, url.port_or_known_default().unwrap_or(0))
            }
            Mirror::File(path) => path.display().to_string(),
        }
    }

    /// The password the mirror's URL gives, if any: [`crate::redact`] must
    /// hide it. The anonymous FTP password is an e-mail-like greeting, not a secret.
    pub fn password(&self) -> Option<&str> {
        match self {
            Mirror::Ftp(endpoint) if endpoint.user != "anonymous" => Some(&endpoint.password),
            Mirror::Http(url) => url.password(),
            Mirror::Ftp(_) | Mirror::File(_) => None,
        }
    }

    /// The mirror as a URL for reports and logs, without any password.
    pub fn display_url(&self) -> String {
        match self {
            Mirror::Ftp(endpoint) => endpoint.url_of(""),
            Mirror::Http(url) => redact(url.as_str()).into_owned(),
            Mirror::File(path) => {
                url::Url::from_directory_path(path).map_or_else(|()| path.display().to_string(), String::from)
            }
        }
    }
}

fn ftp_endpoint(url: &url::Url) -> anyhow::Result<FtpEndpoint> {
    let host = match url.host() {
        Some(url::Host::Ipv6(addr)) => addr.to_string(),
        Some(host) => host.to_string(),
        None => bail!("--mirror {}: no host", redact(url.as_str())),
    };
    let (user, password) = match url.username() {
        "" => ("anonymous".to_owned(), "gutenfetch@".to_owned()),
        user => (percent_decode(user)?, percent_decode(url.password().unwrap_or(""))?),
    };
    // RFC 1738: an FTP URL path is relative to the folder the login lands in.
    let root = percent_decode(url.path().trim_start_matches('/'))?;
    Ok(FtpEndpoint { host, port: url.port().unwrap_or(21), user, password, root })
}

fn percent_decode(text: &str) -> anyhow::Result<String> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8();
    Ok(decoded.context("--mirror: a part of the URL is not UTF-8 once percent-decoded")?.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_quote_a_password() {
        for bad in ["ftp://reader:s3cret@127.0.0.1:99999/", "gopher://reader:s3cret@host/", "ftp://reader:s3cret@/x"] {
            let message = format!("{:#}", Mirror::parse(bad).unwrap_err());
            assert!(!message.contains("s3cret") && message.contains("reader:***@"), "{message}");
        }
    }

    fn ftp(text: &str) -> FtpEndpoint {
        match Mirror::parse(text).unwrap() {
            Mirror::Ftp(endpoint) => endpoint,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn anonymous_by_default_on_port_21() {
        let e = ftp("ftp://mirror.example");
        assert_eq!(
            (e.host.as_str(), e.port, e.user.as_str(), e.root.as_str()),
            ("mirror.example", 21, "anonymous", "")
        );
    }

    #[test]
    fn credentials_port_and_root_are_read() {
        let e = ftp("ftp://reader:p%40ss@127.0.0.1:2121/pub/gutenberg");
        assert_eq!((e.user.as_str(), e.password.as_str()), ("reader", "p@ss"));
        assert_eq!((e.host.as_str(), e.port, e.root.as_str()), ("127.0.0.1", 2121, "pub/gutenberg/"));
        assert_eq!(e.url_of("4/1/418/418.txt"), "ftp://reader@127.0.0.1:2121/pub/gutenberg/4/1/418/418.txt");
        assert!(!format!("{e:?}").contains("p@ss"));
        assert!(!Mirror::Ftp(e).display_url().contains("p@ss"));
    }

    #[test]
    fn addresses_name_host_and_port() {
        let address = |url: &str| Mirror::parse(url).unwrap().address();
        assert_eq!(address("https://aleph.gutenberg.org/"), "aleph.gutenberg.org:443");
        assert_eq!(address("http://u:p@127.0.0.1:8080/x/"), "127.0.0.1:8080");
        assert_eq!(address("ftp://[::1]/pub/"), "[::1]:21");
        assert_eq!(address("http://[::1]:81/"), "[::1]:81");
    }

    #[test]
    fn ipv6_hosts_work() {
        let e = ftp("ftp://[::1]:2121/");
        assert_eq!(e.host, "::1");
        assert_eq!(e.url_of("0/7/7.txt"), "ftp://[::1]:2121/0/7/7.txt");
    }

    #[test]
    fn http_bases_always_end_in_a_slash() {
        for (text, base) in [
            ("https://aleph.gutenberg.org", "https://aleph.gutenberg.org/"),
            ("http://127.0.0.1:8080/gutenberg", "http://127.0.0.1:8080/gutenberg/"),
        ] {
            assert_eq!(Mirror::parse(text).unwrap(), Mirror::Http(url::Url::parse(base).unwrap()));
        }
        let Mirror::Http(url) = Mirror::parse("http://u:secret@h/").unwrap() else { panic!() };
        assert!(!Mirror::Http(url).display_url().contains("secret"));
    }

    #[test]
    fn file_mirrors_must_be_folders() {
        let dir = tempfile::tempdir().unwrap();
        let url = url::Url::from_directory_path(dir.path()).unwrap();
        assert_eq!(Mirror::parse(url.as_str()).unwrap(), Mirror::File(dir.path().to_owned()));
        assert!(Mirror::parse(&format!("{url}missing")).is_err());
        let relative = pathdiff(dir.path());
        assert_eq!(Mirror::parse(&relative).unwrap(), Mirror::File(std::path::absolute(&relative).unwrap()));
        assert!(Mirror::parse("no/such/folder").unwrap_err().to_string().contains("nor a folder"));
        assert!(Mirror::parse("file://host-name/x").is_err());
    }

    /// `dir` as a path relative to the current folder.
    fn pathdiff(dir: &std::path::Path) -> String {
        let cwd = std::env::current_dir().unwrap();
        let ups = cwd.components().count() - 1;
        format!("{}{}", "../".repeat(ups), dir.strip_prefix("/").unwrap().display())
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        assert!(Mirror::parse("gopher://x/").unwrap_err().to_string().contains("unsupported scheme"));
        assert!(Mirror::parse("not a url").is_err());
    }
}
