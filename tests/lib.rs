//! End-to-end tests live in `e2e/`; this crate has no library code.
//!
//! They load the plugins `cargo xtask build` copies to `target/plugins` and
//! run the `headroom` binary it builds, so they test what a user runs. Run
//! them with `cargo xtask test`.
