//! The `--mirror` URL, parsed into what each transport needs.

use anyhow::{bail, Context};

/// A Gutenberg mirror to fetch from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mirror {
    Ftp(FtpEndpoint),
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
    /// Parses `ftp://[user[:password]@]host[:port][/path/]`.
    pub fn parse(text: &str) -> anyhow::Result<Mirror> {
        let url = url::Url::parse(text).with_context(|| format!("--mirror {text:?} is not a URL"))?;
        match url.scheme() {
            "ftp" => Ok(Mirror::Ftp(ftp_endpoint(&url)?)),
            other => bail!("--mirror {text:?}: unsupported scheme {other:?} (expected ftp://)"),
        }
    }
}

fn ftp_endpoint(url: &url::Url) -> anyhow::Result<FtpEndpoint> {
    let host = match url.host() {
        Some(url::Host::Ipv6(addr)) => addr.to_string(),
        Some(host) => host.to_string(),
        None => bail!("--mirror {url}: no host"),
    };
    let (user, password) = match url.username() {
        "" => ("anonymous".to_owned(), "gutenfetch@".to_owned()),
        user => (percent_decode(user)?, percent_decode(url.password().unwrap_or(""))?),
    };
    // RFC 1738: an FTP URL path is relative to the folder the login lands in.
    let path = url.path().trim_start_matches('/');
    let root = if path.is_empty() || path.ends_with('/') { path.to_owned() } else { format!("{path}/") };
    let root = percent_decode(&root)?;
    Ok(FtpEndpoint { host, port: url.port().unwrap_or(21), user, password, root })
}

fn percent_decode(text: &str) -> anyhow::Result<String> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8();
    Ok(decoded.with_context(|| format!("--mirror: {text:?} is not UTF-8 once decoded"))?.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftp(text: &str) -> FtpEndpoint {
        match Mirror::parse(text).unwrap() {
            Mirror::Ftp(endpoint) => endpoint,
        }
    }

    #[test]
    fn anonymous_by_default_on_port_21() {
        let e = ftp("ftp://mirror.example/");
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
    }

    #[test]
    fn ipv6_hosts_work() {
        let e = ftp("ftp://[::1]:2121/");
        assert_eq!(e.host, "::1");
        assert_eq!(e.url_of("0/7/7.txt"), "ftp://[::1]:2121/0/7/7.txt");
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        assert!(Mirror::parse("gopher://x/").is_err());
        assert!(Mirror::parse("not a url").is_err());
    }
}
