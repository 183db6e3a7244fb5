//! One integration-test binary, a module per area.

mod bad_input;
mod calc;
mod config_layers;
mod diff;
mod documents;
mod forecasts;
mod generated;
mod loader;
mod observe;
mod plans;
mod simulate;
mod support;
mod template;
