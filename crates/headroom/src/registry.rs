//! The plugin registry: finds profile plugins, loads them side by side, and
//! refuses duplicates.
//!
//! Plugins are shared libraries named `libheadroom_profile_*.so` (`.dylib`
//! on macOS, `headroom_profile_*.dll` on Windows) in the directories searched:
//! `--plugin-dir` / `HEADROOM_PLUGIN_DIR` when given, else `plugins/` beside
//! the binary or `target/plugins` (where `cargo xtask build` puts them).

use std::path::{Path, PathBuf};

use headroom_plugin_api::host;
/// A loaded profile plugin, as the registry hands it out.
pub use headroom_plugin_api::host::LoadedProfile;

use crate::Error;

/// Every profile loaded, in id order.
#[derive(Debug, Default)]
pub struct Registry {
    profiles: Vec<LoadedProfile>,
}

const PREFIX: &str = if cfg!(windows) { "headroom_profile_" } else { "libheadroom_profile_" };

/// True for a file name that looks like a profile plugin on this platform.
pub fn is_plugin_file_name(name: &str) -> bool {
    name.starts_with(PREFIX) && name.ends_with(std::env::consts::DLL_SUFFIX)
}

/// The directory searched when none is given: the first of `plugins/`
/// beside the binary (an unpacked `cargo xtask dist`) and `target/plugins`
/// when the binary runs from `target/<profile>/` (after `cargo xtask
/// build`) that holds a plugin file. Only one is used, so that a plugin and
/// its copy are never both loaded; `target/debug` itself is never searched,
/// since it also holds the loader's test fixtures.
pub fn default_dir(exe: &Path) -> Option<PathBuf> {
    let dir = exe.parent()?;
    let mut candidates = vec![dir.join("plugins")];
    if let Some(target) = dir.parent() {
        candidates.push(target.join("plugins"));
    }
    candidates.into_iter().find(|candidate| {
        std::fs::read_dir(candidate).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_str().is_some_and(is_plugin_file_name))
        })
    })
}

impl Registry {
    /// Loads every plugin file in `dirs`. With `explicit`, each directory was
    /// named by the user and must exist.
    pub fn scan(dirs: &[PathBuf], explicit: bool) -> Result<Registry, Error> {
        let mut files = Vec::new();
        for dir in dirs {
            let entries = match std::fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(e) if explicit => {
                    return Err(Error::PluginDir { path: dir.clone(), reason: e.to_string() })
                }
                Err(_) => continue,
            };
            let mut here: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| {
                    path.is_file()
                        && path
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(is_plugin_file_name)
                })
                .collect();
            here.sort();
            files.extend(here);
        }
        Registry::load_files(&files)
    }

    /// Loads exactly these plugin files.
    pub fn load_files(files: &[PathBuf]) -> Result<Registry, Error> {
        let mut registry = Registry::default();
        for file in files {
            // The same file reached through two directories is one plugin.
            let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
            if registry
                .profiles
                .iter()
                .any(|p| p.path().canonicalize().ok().as_deref() == Some(canonical.as_path()))
            {
                continue;
            }
            let profile = host::load(file)?;
            if let Some(first) = registry.profiles.iter().find(|p| p.id() == profile.id()) {
                return Err(Error::DuplicateProfile {
                    id: profile.id().to_string(),
                    first: first.path().to_path_buf(),
                    second: file.clone(),
                });
            }
            registry.profiles.push(profile);
        }
        registry.profiles.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(registry)
    }

    /// Every loaded profile, in id order.
    pub fn profiles(&self) -> &[LoadedProfile] {
        &self.profiles
    }

    /// Ids of every loaded profile.
    pub fn ids(&self) -> Vec<String> {
        self.profiles.iter().map(|p| p.id().to_string()).collect()
    }

    /// The profile with this id.
    pub fn get(&self, id: &str) -> Result<&LoadedProfile, Error> {
        self.profiles
            .iter()
            .find(|p| p.id() == id)
            .ok_or_else(|| Error::UnknownProfile { id: id.to_string(), known: self.ids() })
    }
}
