//! The library's error type: each variant carries what a user needs to fix it.

use std::path::PathBuf;

/// Anything that stops a plan, an audit or a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value, key or file is wrong.
    #[error("profile `{profile}`: {message}")]
    Config {
        /// The profile whose configuration it is.
        profile: String,
        /// What is wrong, naming the key and the layer it came from.
        message: String,
    },
    /// A plugin file could not be loaded.
    #[error(transparent)]
    Plugin(#[from] headroom_plugin_api::host::LoadError),
    /// A plugin directory given by the user does not exist or cannot be read.
    #[error("plugin directory {}: {reason}", path.display())]
    PluginDir {
        /// The directory.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// Two plugin files declare the same profile id.
    #[error("two plugins declare profile `{id}`: {} and {}; remove one", first.display(), second.display())]
    DuplicateProfile {
        /// The id.
        id: String,
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// No loaded plugin has this id.
    #[error("unknown profile `{id}`; known profiles: {}", if known.is_empty() { "none (no plugins found)".to_string() } else { known.join(", ") })]
    UnknownProfile {
        /// The id asked for.
        id: String,
        /// The ids that are loaded.
        known: Vec<String>,
    },
    /// A plugin's demand mapping failed, panicked or returned bad numbers.
    #[error("plugin `{profile}`: {message}")]
    PluginFailed {
        /// The profile.
        profile: String,
        /// What went wrong.
        message: String,
    },
    /// The kernel refused an input.
    #[error("profile `{profile}`, tier `{tier}`: {source}")]
    Kernel {
        /// The profile.
        profile: String,
        /// The tier being computed.
        tier: String,
        /// The kernel's reason.
        source: headroom_kernel::KernelError,
    },
    /// A `calc` question that cannot be answered.
    #[error("calc {model}: {message}")]
    Calc {
        /// The model asked.
        model: String,
        /// Why.
        message: String,
    },
    /// A Prometheus measurement that could not be taken (boxed: its
    /// variants carry the server, the key and the query).
    #[error(transparent)]
    Prometheus(Box<crate::observe::prometheus::PrometheusError>),
    /// A load-test file that cannot be read.
    #[error(transparent)]
    LoadTest(#[from] crate::loadtest::LoadTestError),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl From<crate::observe::prometheus::PrometheusError> for Error {
    fn from(error: crate::observe::prometheus::PrometheusError) -> Error {
        Error::Prometheus(Box::new(error))
    }
}
