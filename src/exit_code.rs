//! The process exit code as a typed contract.

/// What the run's exit code tells a script or cron.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// Every book ok or skipped.
    Success,
    /// The run finished, but some books (or manifest rows) failed.
    BooksFailed,
    /// Usage error or a fatal error before or outside any one book.
    Fatal,
    /// Stopped by a signal (SIGINT, SIGTERM, SIGHUP, …: see [`crate::interrupt`]).
    Interrupted,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::BooksFailed => 1,
            ExitCode::Fatal => 2,
            ExitCode::Interrupted => 130,
        }
    }

    /// The more severe of two outcomes; the variants are declared in that order.
    pub fn merge(self, other: ExitCode) -> ExitCode {
        self.max(other)
    }
}

#[cfg(test)]
mod tests {
    use super::ExitCode::*;

    #[test]
    fn merge_keeps_the_more_severe() {
        assert_eq!(Success.merge(BooksFailed), BooksFailed);
        assert_eq!(BooksFailed.merge(Success), BooksFailed);
        assert_eq!(BooksFailed.merge(Fatal), Fatal);
        assert_eq!(Fatal.merge(Interrupted), Interrupted);
        assert_eq!(Success.merge(Success), Success);
        assert_eq!([Success, BooksFailed, Fatal, Interrupted].map(|c| c.code()), [0, 1, 2, 130]);
    }
}
