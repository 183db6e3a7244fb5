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
    /// The newest batch call the host makes when the plugin has it (older
    /// only in tests, to take the path of a plugin built before it).
    newest: BatchCall,
}

/// The plugin's batch calls, oldest first: each added after the last, so a
/// plugin built before one lacks it, and the host then takes the one
/// before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BatchCall {
    /// `demand`: rows of drivers, one set of parameters for the batch.
    Demand,
    /// `demand_rows`: rows of drivers, each with its own parameters.
    DemandRows,
    /// `demand_columns`: a Monte Carlo's chunk in columns.
    DemandColumns,
}

impl fmt::Debug for LoadedProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedProfile")
            .field("path", &self.path)
            .field("id", &self.description.id)
            .finish()
    }
}

/// Checks that the file at `path` is a whole library before the dynamic
/// loader maps it: every segment and section it lists lies within the file.
/// A library cut short (an interrupted copy) keeps headers that point past
/// its end, and mapping those kills the process with SIGBUS inside
/// `dlopen`, before any error could be returned.
fn check_whole(path: &Path) -> Result<(), LoadError> {
    use object::{Object, ObjectSection, ObjectSegment};
    let refuse = |reason: String| LoadError::NotALibrary { path: path.to_path_buf(), reason };
    // Read lazily: the headers alone, not the whole library.
    let opened = std::fs::File::open(path).map_err(|e| refuse(e.to_string()))?;
    let len = opened.metadata().map_err(|e| refuse(e.to_string()))?.len();
    let data = object::ReadCache::new(opened);
    // A universal (fat) Mach-O holds several libraries; the loader picks one.
    if let Ok(object::FileKind::MachOFat32 | object::FileKind::MachOFat64) =
        object::FileKind::parse(&data)
    {
        return Ok(());
    }
    let file = object::File::parse(&data).map_err(|e| {
        refuse(format!(
            "its headers do not read as a library's ({e}): not a library, or one cut short"
        ))
    })?;
    let past_end =
        |(offset, size): (u64, u64)| offset.checked_add(size).is_none_or(|end| end > len);
    let segments = file.segments().map(|s| s.file_range());
    let sections = file.sections().filter_map(|s| s.file_range());
    if let Some((offset, size)) = segments.chain(sections).find(|&range| past_end(range)) {
        return Err(refuse(format!(
            "cut short: it lists {size} bytes at offset {offset}, past its end at {len} bytes (an interrupted copy?)"
        )));
    }
    Ok(())
}

/// Loads the profile plugin at `path`.
pub fn load(path: &Path) -> Result<LoadedProfile, LoadError> {
    check_whole(path)?;
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
    Ok(LoadedProfile {
        path: path.to_path_buf(),
        description,
        module,
        newest: BatchCall::DemandColumns,
    })
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
        let widths = self.widths();
        let rows = crate::shape_rows(widths, parameters.len(), drivers.len(), loads.len())?;
        if let Some(batch) =
            self.module.demand_rows().filter(|_| self.newest >= BatchCall::DemandRows)
        {
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

    /// Runs the demand mapping over a batch laid out in columns, as a
    /// Monte Carlo's chunk is: `draws` draws of `rows` rows each (see
    /// [`crate::ProfileMod::demand_columns`] for where each value lies).
    /// In one call when the plugin exports `demand_columns`; else the
    /// batch is laid out in rows for [`LoadedProfile::demand_rows`] (a
    /// plugin built before `demand_columns` existed) and its loads back in
    /// columns.
    pub fn demand_columns(
        &self,
        draws: usize,
        parameters: &[f64],
        drivers: &[f64],
        loads: &mut [f64],
    ) -> Result<(), String> {
        let widths = self.widths();
        let rows =
            crate::shape_columns(widths, draws, parameters.len(), drivers.len(), loads.len())?;
        let call = self.module.demand_columns().filter(|_| self.newest >= BatchCall::DemandColumns);
        if let Some(call) = call {
            return plain(call(draws, parameters.into(), drivers.into(), loads.into()));
        }
        let (width_p, width_d, width_l) = widths;
        let n = rows * draws;
        // Row `i` is draw `i % draws`'s: its parameters, then its drivers.
        let own: Vec<f64> = (0..n)
            .flat_map(|i| (0..width_p).map(move |k| parameters[k * draws + i % draws]))
            .collect();
        let row_drivers: Vec<f64> =
            (0..n).flat_map(|i| (0..width_d).map(move |d| drivers[d * n + i])).collect();
        let mut row_loads = vec![0.0; n * width_l];
        self.demand_rows(&own, &row_drivers, &mut row_loads)?;
        for (i, row) in row_loads.chunks_exact(width_l.max(1)).enumerate() {
            for (l, &load) in row.iter().enumerate() {
                loads[l * n + i] = load;
            }
        }
        Ok(())
    }

    /// How many parameters, drivers and loads a row of this profile has.
    fn widths(&self) -> (usize, usize, usize) {
        let description = &self.description;
        (description.parameters.len(), description.drivers.len(), description.loads.len())
    }

    /// Whether the plugin was built optimised (a release build), or `None`
    /// for a plugin built before it said so.
    pub fn optimised(&self) -> Option<bool> {
        self.module.optimised().map(|optimised| optimised())
    }

    /// This profile as the host would use it were `newest` the newest
    /// batch call the plugin exports: a newer batch goes through the older
    /// calls. For tests of those paths.
    #[doc(hidden)]
    pub fn as_if_newest_call(mut self, newest: BatchCall) -> LoadedProfile {
        self.newest = newest;
        self
    }

    /// The newest batch call the host makes on this plugin: the newest it
    /// exports.
    pub fn newest_batch_call(&self) -> BatchCall {
        let has = |call: BatchCall| match call {
            BatchCall::Demand => true,
            BatchCall::DemandRows => self.module.demand_rows().is_some(),
            BatchCall::DemandColumns => self.module.demand_columns().is_some(),
        };
        [BatchCall::DemandColumns, BatchCall::DemandRows]
            .into_iter()
            .find(|&call| call <= self.newest && has(call))
            .unwrap_or(BatchCall::Demand)
    }
}

/// A plugin call's result in std types.
fn plain(result: RResult<(), abi_stable::std_types::RString>) -> Result<(), String> {
    match result {
        RResult::ROk(()) => Ok(()),
        RResult::RErr(message) => Err(message.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::{check_whole, LoadError};

    fn checked(bytes: &[u8]) -> Result<(), LoadError> {
        let dir = std::env::temp_dir().join(format!("headroom-check-whole-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("lib{}.so", bytes.len()));
        std::fs::write(&path, bytes).unwrap();
        let result = check_whole(&path);
        let _ = std::fs::remove_file(&path);
        result
    }

    #[test]
    fn a_library_cut_short_is_refused_and_a_universal_one_passed_on() {
        // This test binary is a whole object file of the platform's format;
        // cut to half it is refused before any loader maps it.
        let whole = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(checked(&whole).is_ok());
        let cut = checked(&whole[..whole.len() / 2]);
        assert!(matches!(cut, Err(LoadError::NotALibrary { .. })), "{cut:?}");
        // A universal Mach-O (magic 0xcafebabe, one architecture) holds
        // several libraries, and the dynamic loader picks one: passed on.
        let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1];
        fat.extend([0; 20]);
        assert!(checked(&fat).is_ok());
        assert!(checked(b"not a library").is_err());
    }
}
