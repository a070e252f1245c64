//! Giving freed heap memory back to the system as a run goes.
//!
//! glibc's allocator keeps the pages of freed blocks inside its per-thread
//! heaps resident, and every book allocates and frees (its task, its paths,
//! its listing) in different heaps; over a long run the holes add up, so
//! resident memory would creep with the number of books although what is in
//! use does not. Trimming every so often keeps it at what is in use.

/// How many books pass between trims: a trim costs well under a millisecond.
pub const TRIM_EVERY: usize = 32;

/// Returns the free pages of every heap to the system (glibc only; other
/// allocators return memory on their own).
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only takes the allocator's own locks; any thread may call it.
    unsafe {
        libc::malloc_trim(0);
    }
}
