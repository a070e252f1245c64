//! The transfer buffers: one size, shared by every download, never freed.
//!
//! Each transfer reads the network into one buffer and writes to disk from
//! two ([`PER_TRANSFER`]); when it ends they go back to the pool for the
//! next book. The pool is filled at the start of a run for the most
//! transfers it may have in flight ([`fill`]), so a run of a thousand books
//! holds exactly the buffers a run of a hundred does. Allocated per book,
//! or even pooled but only as needed, the peak would depend on how many
//! happened to be live at the same moment, which a longer run reaches more
//! often, and the allocator's heaps would fragment with their comings and
//! goings.

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// The size of every buffer: what one read from the network or one write to
/// disk moves at most.
pub const CHUNK: usize = 64 * 1024;

/// Buffers one transfer holds: one it reads into, one it fills for the
/// disk and one being written.
pub const PER_TRANSFER: usize = 3;

static TRANSFERS: Pool = Pool::new();

/// Fills the transfers' pool up to `buffers` buffers (no more are taken
/// from it at once unless a dropped transfer's last write is still going).
pub fn fill(buffers: usize) {
    TRANSFERS.fill(buffers);
}

/// An empty buffer with room for [`CHUNK`] bytes, from the transfers' pool.
pub fn take() -> Buffer {
    TRANSFERS.take()
}

/// Buffers not in use.
#[derive(Default)]
pub struct Pool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl Pool {
    pub const fn new() -> Pool {
        Pool { free: Mutex::new(Vec::new()) }
    }

    /// Makes new buffers until `buffers` are free.
    pub fn fill(&self, buffers: usize) {
        let mut free = self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while free.len() < buffers {
            free.push(new_buffer());
        }
    }

    /// A pooled buffer, or a new one if every pooled one is in use; it
    /// returns to this pool when dropped.
    pub fn take(&'static self) -> Buffer {
        let pooled = self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        Buffer { bytes: pooled.unwrap_or_else(new_buffer), pool: self }
    }
}

/// A new buffer, written through once: its pages are resident from the
/// start, not as the first long enough book reaches them, so memory is what
/// the transfers in flight can hold from the start, however long the run.
fn new_buffer() -> Vec<u8> {
    let mut bytes = vec![0; CHUNK];
    // `vec!` may take pages fresh from the system, known to be zero, without
    // touching them.
    bytes.fill(1);
    std::hint::black_box(&mut bytes);
    bytes.clear();
    bytes
}

/// A buffer that returns to its pool when dropped.
pub struct Buffer {
    bytes: Vec<u8>,
    pool: &'static Pool,
}

impl Buffer {
    /// The buffer as [`CHUNK`] bytes to read into (what it held is lost).
    pub fn for_reading(&mut self) -> &mut [u8] {
        self.bytes.resize(CHUNK, 0);
        &mut self.bytes
    }

    /// Room left before the buffer holds a whole chunk.
    pub fn room(&self) -> usize {
        CHUNK.saturating_sub(self.bytes.len())
    }
}

impl Deref for Buffer {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.bytes
    }
}

impl DerefMut for Buffer {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.bytes);
        // One that grew past a chunk is not the pool's size any more.
        if bytes.capacity() == CHUNK {
            bytes.clear();
            self.pool.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused_not_reallocated() {
        static POOL: Pool = Pool::new();
        let (mut first, second) = (POOL.take(), POOL.take());
        first.extend_from_slice(b"a chunk of a book");
        let at = [first.as_ptr(), second.as_ptr()];
        drop((first, second));
        let again = [POOL.take(), POOL.take()];
        for buffer in &again {
            assert!(at.contains(&buffer.as_ptr()), "a pooled buffer, not a new one");
            assert!(buffer.is_empty() && buffer.capacity() == CHUNK);
        }
        let mut grown = POOL.take();
        grown.extend_from_slice(&[0; CHUNK + 1]);
        drop(grown);
        assert_eq!(POOL.free.lock().unwrap().len(), 0, "a grown buffer is not pooled");
    }

    #[test]
    fn a_filled_pool_hands_out_its_buffers_before_making_more() {
        static POOL: Pool = Pool::new();
        POOL.fill(2);
        POOL.fill(2);
        assert_eq!(POOL.free.lock().unwrap().len(), 2, "filling again makes none");
        let made: Vec<*const u8> = POOL.free.lock().unwrap().iter().map(|b| b.as_ptr()).collect();
        let taken = [POOL.take(), POOL.take()];
        assert!(taken.iter().all(|b| made.contains(&b.as_ptr())));
        assert!(POOL.free.lock().unwrap().is_empty());
    }

    #[test]
    fn a_buffer_read_into_is_a_whole_chunk() {
        static POOL: Pool = Pool::new();
        let mut buffer = POOL.take();
        buffer.push(1);
        assert_eq!(buffer.room(), CHUNK - 1);
        assert_eq!(buffer.for_reading().len(), CHUNK);
        assert_eq!(buffer.room(), 0);
    }
}
