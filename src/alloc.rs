//! The process allocator: mimalloc, told to behave like a batch job.
//!
//! Declared here rather than in the binary so that everything linking the
//! library (the tool, its tests, the benchmark programs in `examples/`)
//! runs on the same allocator, and the benchmarks compare like with like.
//!
//! Why not the system allocator: `build` reads thousands of xlsx files on
//! several threads, and every zip entry inflated asks for a 64-byte-aligned
//! buffer. glibc serves those with `posix_memalign`, whose leftover
//! fragments made build's heap grow to some 400 MB on a 25,000-subscription
//! run, against about 80 MB of live data (bench/README.md has the numbers).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option numbers (`mi_option_e` in its `mimalloc.h`, the same
/// in its versions 2 and 3); the Rust bindings do not name these two.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tune the allocator for a short batch job: freed pages go back to the
/// system at once instead of after a delay, and new arenas are committed
/// page by page as they are used. Call first thing in `main`.
pub fn tune_for_batch() {
    // SAFETY: `mi_option_set` only stores a value in mimalloc's option
    // table, and any value is valid for these two options.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
}
