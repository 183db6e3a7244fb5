//! Headroom's library: everything between the command line and the kernel.
//!
//! - [`config`]: the layered configuration of a profile (figment): the
//!   plugin's embedded defaults, `config/default.toml`, `config/<id>.toml`,
//!   `--config` files, `HEADROOM_*` variables, `--set key=value`; each value
//!   remembers the layer it came from, and every key and number is checked.
//! - [`registry`]: finds plugin libraries, loads them, refuses duplicates.
//! - [`plan`]: profile + configuration to a [`plan::Plan`], with the kernel.
//! - [`audit`]: a document's published plan against the computed one.
//! - [`diff`]: two plans of one profile, with and without a change, compared.
//! - [`observe`]: today's drivers and loads measured in Prometheus, against
//!   the plan, and their growth over a window of history.
//! - [`calc`]: each kernel model on its own (Erlang C, the USL, a growth
//!   rate, Little's law, the utilisation law, the headroom rule).
//! - [`trend`]: what `calc growth` and `observe --trend` share: the swings
//!   a growth fit takes out (`--seasonality`), the fit, and its checks.
//! - [`simulate`]: the Monte Carlo over drawn inputs, and the sensitivity
//!   of the plan to each.
//! - [`loadtest`] and [`calibrate`]: load-test files read, a USL fitted to
//!   them and written as a configuration layer.
//! - [`render`]: terminal table, Markdown, JSON, CSV and SVG charts.
//!
//! **Architecture Invariant:** this crate never prints, never exits and
//! never reads the process's arguments: the binary does. It reads files and
//! the environment only in [`config`] and [`registry`] (and load-test files in
//! [`loadtest`], growth histories in [`calc`], the one variable
//! `observe.bearer_token_env` names in [`observe`]), talks to the network
//! only in [`observe`], and touches
//! abi_stable only through `headroom_plugin_api::host`.
#![deny(missing_docs)]

pub mod audit;
pub mod calc;
pub mod calibrate;
pub mod config;
pub mod diff;
pub mod error;
pub mod loadtest;
pub mod observe;
pub mod plan;
pub mod registry;
pub mod render;
pub mod simulate;
pub mod trend;

pub use error::Error;

/// Version of the JSON documents `plan`, `audit`, `simulate` and `observe`
/// print. Bump it when a field changes meaning or goes away; adding a field
/// does not bump it.
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON Schema of `plan --format json` (`kind = "plan"`), of
/// `observe --format json` (`"observe"`) or of `audit --format json` (any
/// other kind), pretty-printed.
pub fn schema(kind: &str) -> String {
    let schema = match kind {
        "plan" => schemars::schema_for!(plan::Plan),
        "observe" => schemars::schema_for!(observe::Observation),
        _ => schemars::schema_for!(audit::Audit),
    };
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
