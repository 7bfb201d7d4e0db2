//! The `csp-consolidate` binary: parse arguments, run one command, map the
//! outcome to an exit code. 0: done and clean. 1: done, with row issues or
//! rejected rows (all reported). 2: nothing done (usage, configuration,
//! unreadable input, unreachable API).
//!
//! The binary allocates with mimalloc. `build` reads thousands of xlsx
//! files on several threads, and each zip entry inflated asks for a
//! 64-byte-aligned buffer; glibc's allocator serves those with
//! `posix_memalign`, whose leftover fragments kept build's heap growing to
//! some 400 MB on a 25,000-subscription run (about 130 MB on a good day).
//! mimalloc, told to hand freed pages back at once, keeps the same run near
//! its live data and is faster too (numbers in bench/README.md).

mod cli;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option numbers (`mi_option_e` in its `mimalloc.h`, the same
/// in versions 2 and 3); the Rust bindings do not name these two.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // SAFETY: `mi_option_set` only stores a value in mimalloc's option
    // table; any value is valid for these two options.
    unsafe {
        // Return freed pages to the OS at once rather than after a delay:
        // a one-shot batch job gains nothing from keeping them.
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        // Commit new arenas page by page, as they are used.
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
    cli::main()
}
