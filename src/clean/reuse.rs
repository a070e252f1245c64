//! Buffers a cleaning thread keeps from one book to the next.
//!
//! Every book needs the same few window-sized buffers (the window read, its
//! line ends rewritten, the blank lines held back, a transcoded chunk).
//! Kept per thread, they are allocated once and grown to their size once,
//! so cleaning holds the same memory on the hundredth book as on the first
//! instead of a peak that depends on which books happen to be cleaned side
//! by side.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

use super::source::WINDOW;

/// How many buffers a thread keeps: more than one cleaning ever holds at once.
const KEEP_AT_MOST: usize = 8;
/// A buffer grown past this (a book with one enormous line) is let go.
const KEEP_UP_TO: usize = 4 * WINDOW;

thread_local! {
    static KEPT: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer, one this thread kept if it has any.
pub(crate) fn take() -> Reused {
    Reused(KEPT.with(|kept| kept.borrow_mut().pop()).unwrap_or_default())
}

/// A buffer that goes back to its thread's keeping when dropped.
#[derive(Debug, Default)]
pub(crate) struct Reused(Vec<u8>);

impl Deref for Reused {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for Reused {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl Drop for Reused {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0);
        if bytes.capacity() == 0 || bytes.capacity() > KEEP_UP_TO {
            return;
        }
        bytes.clear();
        // `try_with`: a buffer dropped while the thread ends is just freed.
        let _ = KEPT.try_with(|kept| {
            let mut kept = kept.borrow_mut();
            if kept.len() < KEEP_AT_MOST {
                kept.push(bytes);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_gets_its_buffers_back_empty_and_lets_huge_ones_go() {
        std::thread::spawn(|| {
            let mut first = take();
            first.extend_from_slice(&[b'x'; 1000]);
            let at = first.as_ptr();
            drop(first);
            let again = take();
            assert_eq!((again.as_ptr(), again.len()), (at, 0), "the same buffer, emptied");
            assert!(again.capacity() >= 1000);
            drop(again);

            let mut huge = take();
            huge.resize(KEEP_UP_TO + 1, 0);
            drop(huge);
            assert!(take().capacity() <= KEEP_UP_TO, "the huge buffer was not kept");
        })
        .join()
        .unwrap();
    }
}
