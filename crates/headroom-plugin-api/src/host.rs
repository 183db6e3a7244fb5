//! The loader: opens a plugin library and checks it is a profile of our ABI.
//!
//! Each library is opened with `lib_header_from_path` and then
//! `init_root_module`, never `RootModule::load_from_*`: those cache one root
//! module per interface type, so a second plugin would come back as the first
//! (abi_stable issue #92). Libraries are never unloaded.

use std::fmt;
use std::path::{Path, PathBuf};

use abi_stable::library::{lib_header_from_path, LibraryError};
use abi_stable::std_types::RResult;

use crate::{FfiDescription, ProfileModRef, ABI_VERSION};

/// Why a file could not be loaded as a profile plugin.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened as a shared library.
    NotALibrary {
        /// The file.
        path: PathBuf,
        /// What the dynamic loader said.
        reason: String,
    },
    /// A shared library, but it exports no Headroom profile.
    NotAProfile {
        /// The file.
        path: PathBuf,
    },
    /// A profile built against another version of the plugin ABI.
    IncompatibleAbi {
        /// The file.
        path: PathBuf,
        /// What the plugin or abi_stable reported.
        found: String,
    },
    /// The plugin's own code failed (or panicked) while describing itself.
    Failed {
        /// The file.
        path: PathBuf,
        /// The plugin's message.
        message: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotALibrary { path, reason } => {
                write!(f, "{} is not a shared library: {reason}", path.display())
            }
            LoadError::NotAProfile { path } => write!(
                f,
                "{} is a shared library but not a Headroom profile plugin (it exports no profile)",
                path.display()
            ),
            LoadError::IncompatibleAbi { path, found } => write!(
                f,
                "plugin {} was built against another plugin ABI ({found}); this headroom speaks ABI v{ABI_VERSION}, plugin API {}: rebuild the plugin",
                path.display(),
                env!("CARGO_PKG_VERSION")
            ),
            LoadError::Failed { path, message } => {
                write!(f, "plugin {} failed to describe itself: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// A profile plugin loaded into this process.
#[derive(Clone)]
pub struct LoadedProfile {
    path: PathBuf,
    description: FfiDescription,
    module: ProfileModRef,
    /// Call `demand_rows` when the plugin has it (false only in tests, to
    /// take the path of a plugin built before it).
    rows_call: bool,
}

impl fmt::Debug for LoadedProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedProfile")
            .field("path", &self.path)
            .field("id", &self.description.id)
            .finish()
    }
}

/// Loads the profile plugin at `path`.
pub fn load(path: &Path) -> Result<LoadedProfile, LoadError> {
    let header = lib_header_from_path(path).map_err(|error| match error {
        LibraryError::OpenError { err, .. } => {
            LoadError::NotALibrary { path: path.to_path_buf(), reason: err.to_string() }
        }
        LibraryError::GetSymbolError { .. } => LoadError::NotAProfile { path: path.to_path_buf() },
        other => LoadError::IncompatibleAbi { path: path.to_path_buf(), found: other.to_string() },
    })?;
    let module = header.init_root_module::<ProfileModRef>().map_err(|error| match error {
        LibraryError::RootModule { err, .. } => {
            LoadError::Failed { path: path.to_path_buf(), message: err.to_string() }
        }
        other => LoadError::IncompatibleAbi { path: path.to_path_buf(), found: other.to_string() },
    })?;
    let found = (module.abi_version())();
    if found != ABI_VERSION {
        return Err(LoadError::IncompatibleAbi {
            path: path.to_path_buf(),
            found: format!("ABI v{found}"),
        });
    }
    let description = match (module.describe())() {
        RResult::ROk(description) => description,
        RResult::RErr(message) => {
            return Err(LoadError::Failed { path: path.to_path_buf(), message: message.into() })
        }
    };
    Ok(LoadedProfile { path: path.to_path_buf(), description, module, rows_call: true })
}

impl LoadedProfile {
    /// The library file this profile came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The profile's id.
    pub fn id(&self) -> &str {
        &self.description.id
    }

    /// The profile's version.
    pub fn version(&self) -> &str {
        &self.description.version
    }

    /// The source document the profile encodes.
    pub fn source(&self) -> &str {
        &self.description.source
    }

    /// The profile's embedded default configuration (TOML).
    pub fn default_config(&self) -> &str {
        &self.description.default_config
    }

    /// Driver names and units, in row order.
    pub fn drivers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.description.drivers.iter().map(|d| (d.name.as_str(), d.unit.as_str()))
    }

    /// Demand parameter names, in order.
    pub fn parameters(&self) -> impl Iterator<Item = &str> {
        self.description.parameters.iter().map(|p| p.as_str())
    }

    /// Loads as (tier, dimension, unit), in row order.
    pub fn loads(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.description
            .loads
            .iter()
            .map(|l| (l.tier.as_str(), l.dimension.as_str(), l.unit.as_str()))
    }

    /// Runs the demand mapping over a batch: `drivers` holds rows of drivers
    /// back to back; `loads` (owned by the caller, reused across calls)
    /// receives the rows of loads. A plugin panic comes back as an error.
    pub fn demand(
        &self,
        parameters: &[f64],
        drivers: &[f64],
        loads: &mut [f64],
    ) -> Result<(), String> {
        plain((self.module.demand())(parameters.into(), drivers.into(), loads.into()))
    }

    /// Runs the demand mapping over a batch whose rows each carry their own
    /// parameters (one row of `parameters` per row of `drivers`), in one call
    /// when the plugin exports `demand_rows`, else row by row through
    /// `demand` (a plugin built before `demand_rows` existed).
    pub fn demand_rows(
        &self,
        parameters: &[f64],
        drivers: &[f64],
        loads: &mut [f64],
    ) -> Result<(), String> {
        let widths = (
            self.description.parameters.len(),
            self.description.drivers.len(),
            self.description.loads.len(),
        );
        let rows = crate::shape_rows(widths, parameters.len(), drivers.len(), loads.len())?;
        if let Some(batch) = self.module.demand_rows().filter(|_| self.rows_call) {
            return plain(batch(parameters.into(), drivers.into(), loads.into()));
        }
        for row in 0..rows {
            self.demand(
                &parameters[row * widths.0..(row + 1) * widths.0],
                &drivers[row * widths.1..(row + 1) * widths.1],
                &mut loads[row * widths.2..(row + 1) * widths.2],
            )?;
        }
        Ok(())
    }

    /// This profile as the host would use it were the plugin built before
    /// `demand_rows`: every per-row batch goes row by row through `demand`.
    /// For tests of that path.
    #[doc(hidden)]
    pub fn as_if_without_demand_rows(mut self) -> LoadedProfile {
        self.rows_call = false;
        self
    }

    /// True when the plugin runs per-row-parameter batches in one call
    /// (built since `demand_rows` exists).
    pub fn has_demand_rows(&self) -> bool {
        self.rows_call && self.module.demand_rows().is_some()
    }
}

/// A plugin call's result in std types.
fn plain(result: RResult<(), abi_stable::std_types::RString>) -> Result<(), String> {
    match result {
        RResult::ROk(()) => Ok(()),
        RResult::RErr(message) => Err(message.into()),
    }
}
