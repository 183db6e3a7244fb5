//! The plugin API: the one crate a Headroom system-profile plugin depends on.
//!
//! A *system profile* knows one system: its business drivers (users,
//! leads/day), the load each driver puts on each tier, and its default
//! configuration (tiers, capacities, prices, published plan), embedded as
//! TOML. The host does all sizing, cost and runway arithmetic with the
//! kernel; a plugin only turns drivers into loads.
//!
//! Three roles, as abi_stable has them:
//! - the **interface**: [`ProfileMod`], a prefix-type root module of
//!   `extern "C"` functions over FFI-safe types, versioned by
//!   [`ABI_VERSION`] and by abi_stable's layout check;
//! - the **implementation**: a `cdylib` that implements the safe
//!   [`SystemProfile`] trait and calls [`export_profile!`] once;
//! - the **loader**: [`host::load`], used by the host.
//!
//! **Architecture Invariant:** every use of abi_stable lives in this crate,
//! so a switch to another ABI crate touches this crate and nothing else. No
//! panic crosses the boundary: each exported function catches it and returns
//! it as an error naming the plugin. The demand call takes a whole batch
//! (many driver rows in, many load rows out, into a buffer the host owns) and
//! allocates nothing per row; `demand_rows` does the same with one row of
//! parameters per row (a Monte Carlo draws parameters), and `demand_columns`
//! with the batch laid out in columns, as a Monte Carlo's chunk is (each
//! draw's parameters once, each driver and each load a column of every
//! row), so that neither side lays rows out for the other.
//!
//! **API boundary:** evolve [`ProfileMod`] only by adding fields after the
//! last prefix field; never remove or rename one.
#![deny(missing_docs)]

pub mod host;

#[doc(hidden)]
pub use abi_stable;
use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings,
    sabi_types::VersionStrings,
    std_types::{RResult, RSlice, RSliceMut, RString, RVec},
    StableAbi,
};

/// The version of the contract between host and plugins. The host refuses a
/// plugin that reports another one. Bump it on any change of meaning that
/// abi_stable's layout check cannot see.
pub const ABI_VERSION: u32 = 1;

/// A business driver: an input the growth plan gives per milestone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Driver {
    /// Name as configuration spells it, e.g. `users`.
    pub name: &'static str,
    /// Unit, e.g. `concurrent users`.
    pub unit: &'static str,
}

/// A load on one dimension of one tier, which the demand mapping computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Tier id, e.g. `api`.
    pub tier: &'static str,
    /// Dimension of that tier, e.g. `concurrent_users`.
    pub dimension: &'static str,
    /// Unit, e.g. `users`.
    pub unit: &'static str,
}

/// What a profile declares about itself.
#[derive(Debug, Clone, Copy)]
pub struct Description {
    /// Profile id, e.g. `leadgen-insurance`.
    pub id: &'static str,
    /// The profile's own version.
    pub version: &'static str,
    /// The source document the profile encodes.
    pub source: &'static str,
    /// The default configuration, TOML (embed `config/<id>.toml`).
    pub default_config: &'static str,
    /// Drivers, in the order of each driver row.
    pub drivers: &'static [Driver],
    /// Names of the demand parameters the host reads from the `demand`
    /// table of the configuration, in the order [`SystemProfile::demand`]
    /// receives them.
    pub parameters: &'static [&'static str],
    /// Loads, in the order of each load row.
    pub loads: &'static [Load],
}

impl Description {
    /// How many parameters, drivers and loads a row has.
    pub const fn widths(&self) -> (usize, usize, usize) {
        (self.parameters.len(), self.drivers.len(), self.loads.len())
    }
}

/// The safe trait a profile implements; [`export_profile!`] exports it.
pub trait SystemProfile {
    /// What the profile declares.
    const DESCRIPTION: Description;

    /// Turns one row of drivers into one row of loads.
    ///
    /// `parameters` and `drivers` come in the order the description names
    /// them; `loads` has one slot per declared load. The host guarantees the
    /// lengths and that every value is finite.
    fn demand(parameters: &[f64], drivers: &[f64], loads: &mut [f64]) -> Result<(), String>;
}

/// A driver as it crosses the boundary.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct FfiDriver {
    /// See [`Driver::name`].
    pub name: RString,
    /// See [`Driver::unit`].
    pub unit: RString,
}

/// A load as it crosses the boundary.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct FfiLoad {
    /// See [`Load::tier`].
    pub tier: RString,
    /// See [`Load::dimension`].
    pub dimension: RString,
    /// See [`Load::unit`].
    pub unit: RString,
}

/// A [`Description`] as it crosses the boundary.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct FfiDescription {
    /// Profile id.
    pub id: RString,
    /// Profile version.
    pub version: RString,
    /// Source document.
    pub source: RString,
    /// Default configuration, TOML.
    pub default_config: RString,
    /// Drivers.
    pub drivers: RVec<FfiDriver>,
    /// Demand parameter names.
    pub parameters: RVec<RString>,
    /// Loads.
    pub loads: RVec<FfiLoad>,
}

impl From<&Description> for FfiDescription {
    fn from(d: &Description) -> Self {
        FfiDescription {
            id: d.id.into(),
            version: d.version.into(),
            source: d.source.into(),
            default_config: d.default_config.into(),
            drivers: d
                .drivers
                .iter()
                .map(|x| FfiDriver { name: x.name.into(), unit: x.unit.into() })
                .collect(),
            parameters: d.parameters.iter().map(|&p| p.into()).collect(),
            loads: d
                .loads
                .iter()
                .map(|x| FfiLoad {
                    tier: x.tier.into(),
                    dimension: x.dimension.into(),
                    unit: x.unit.into(),
                })
                .collect(),
        }
    }
}

/// The root module every profile plugin exports.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ProfileModRef)))]
#[sabi(missing_field(panic))]
pub struct ProfileMod {
    /// The [`ABI_VERSION`] the plugin was built against.
    pub abi_version: extern "C" fn() -> u32,
    /// The profile's description.
    pub describe: extern "C" fn() -> RResult<FfiDescription, RString>,
    /// Demand for a batch: `drivers` holds rows of `drivers.len()` values
    /// back to back; `loads` receives as many rows of `loads.len()` values.
    #[sabi(last_prefix_field)]
    pub demand: extern "C" fn(
        parameters: RSlice<'_, f64>,
        drivers: RSlice<'_, f64>,
        loads: RSliceMut<'_, f64>,
    ) -> RResult<(), RString>,
    /// Demand for a batch whose rows each carry their own parameters (a
    /// Monte Carlo draws them): `parameters` holds one row of parameters per
    /// row of `drivers`. Added after the last prefix field, so a plugin
    /// built before it still loads: its accessor gives `None` and the host
    /// calls [`ProfileMod::demand`] row by row instead.
    #[sabi(missing_field(option))]
    pub demand_rows: extern "C" fn(
        parameters: RSlice<'_, f64>,
        drivers: RSlice<'_, f64>,
        loads: RSliceMut<'_, f64>,
    ) -> RResult<(), RString>,
    /// Demand for a batch laid out in columns, as a Monte Carlo's chunk is:
    /// `draws` draws of `rows` rows each, row `i` belonging to draw
    /// `i % draws`. `parameters` holds each parameter's column of `draws`
    /// values (parameter `k` of draw `j` at `k x draws + j`); `drivers`
    /// each driver's column of the `n = rows x draws` rows (driver `d` of
    /// row `i` at `d x n + i`); `loads` receives each load's column of `n`
    /// rows the same way, every slot of it. Added after `demand_rows`: a
    /// plugin built before it gives `None`, and the host lays the batch out
    /// in rows for `demand_rows` instead.
    #[sabi(missing_field(option))]
    pub demand_columns: extern "C" fn(
        draws: usize,
        parameters: RSlice<'_, f64>,
        drivers: RSlice<'_, f64>,
        loads: RSliceMut<'_, f64>,
    ) -> RResult<(), RString>,
    /// Whether the plugin was built optimised (without debug assertions, as
    /// `cargo build --release` builds). An unoptimised plugin runs its
    /// demand mapping several times slower, which a release host's Monte
    /// Carlo feels; the host says so rather than run slow in silence. Added
    /// after `demand_columns`: a plugin built before it gives `None`.
    #[sabi(missing_field(option))]
    pub optimised: extern "C" fn() -> bool,
}

impl RootModule for ProfileModRef {
    declare_root_module_statics! {ProfileModRef}
    const BASE_NAME: &'static str = "headroom_profile";
    const NAME: &'static str = "headroom_profile";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

thread_local! {
    /// The last panic of this thread inside the plugin: message and place.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Installs, once, a panic hook that records the panic instead of printing
/// it: the host reports it as an error, so nothing else reaches stderr. A
/// plugin links its own copy of std, so this hook sees only the plugin's
/// panics, never the host's.
fn record_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_string());
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(format!("{message}{place}")));
        }));
    });
}

/// Runs `f`, turning a panic into an error message naming the plugin.
#[doc(hidden)]
pub fn catch<T>(id: &str, f: impl FnOnce() -> Result<T, String>) -> RResult<T, RString> {
    record_panics();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(value)) => RResult::ROk(value),
        Ok(Err(message)) => RResult::RErr(message.into()),
        Err(_) => {
            let message = LAST_PANIC
                .with(|last| last.borrow_mut().take())
                .unwrap_or_else(|| "a panic without a message".to_string());
            RResult::RErr(format!("plugin `{id}` panicked: {message}").into())
        }
    }
}

/// A demand batch over plain slices: parameters, drivers, loads out.
#[doc(hidden)]
pub type Batch = fn(&[f64], &[f64], &mut [f64]) -> Result<(), String>;

/// A batch function of `P` as an exported call: slices from their FFI form,
/// a panic caught and named.
#[doc(hidden)]
pub fn exported_batch<P: SystemProfile>(
    batch: Batch,
    parameters: RSlice<'_, f64>,
    drivers: RSlice<'_, f64>,
    mut loads: RSliceMut<'_, f64>,
) -> RResult<(), RString> {
    catch(P::DESCRIPTION.id, || {
        batch(parameters.as_slice(), drivers.as_slice(), loads.as_mut_slice())
    })
}

/// Runs the demand mapping of `P` over a batch of driver rows.
#[doc(hidden)]
pub fn demand_batch<P: SystemProfile>(
    parameters: &[f64],
    drivers: &[f64],
    loads: &mut [f64],
) -> Result<(), String> {
    let description = P::DESCRIPTION;
    let (width_in, width_out) = (description.drivers.len(), description.loads.len());
    if parameters.len() != description.parameters.len() {
        return Err(format!(
            "{} demand parameters given, {} expected",
            parameters.len(),
            description.parameters.len()
        ));
    }
    if width_in == 0
        || !drivers.len().is_multiple_of(width_in)
        || loads.len() != drivers.len() / width_in * width_out
    {
        return Err(format!(
            "batch shape: {} driver values and {} load slots for rows of {width_in} drivers and {width_out} loads",
            drivers.len(),
            loads.len()
        ));
    }
    for (row, out) in drivers.chunks_exact(width_in).zip(loads.chunks_exact_mut(width_out)) {
        P::demand(parameters, row, out)?;
    }
    Ok(())
}

/// Runs the demand mapping of `P` over a batch whose rows each carry their
/// own parameters: `parameters` holds one row of parameters per driver row.
#[doc(hidden)]
pub fn demand_rows_batch<P: SystemProfile>(
    parameters: &[f64],
    drivers: &[f64],
    loads: &mut [f64],
) -> Result<(), String> {
    let widths = P::DESCRIPTION.widths();
    let rows = shape_rows(widths, parameters.len(), drivers.len(), loads.len())?;
    if widths.0 == 0 {
        for (row, out) in drivers.chunks_exact(widths.1).zip(loads.chunks_exact_mut(widths.2)) {
            P::demand(&[], row, out)?;
        }
        return Ok(());
    }
    for ((own, row), out) in parameters
        .chunks_exact(widths.0)
        .zip(drivers.chunks_exact(widths.1))
        .zip(loads.chunks_exact_mut(widths.2))
        .take(rows)
    {
        P::demand(own, row, out)?;
    }
    Ok(())
}

/// The widest row of parameters, drivers or loads that
/// [`demand_columns_batch`] gathers on the stack; a wider profile's rows
/// are gathered into vectors.
const WIDEST: usize = 16;

/// Runs the demand mapping of `P` over a batch laid out in columns (see
/// [`ProfileMod::demand_columns`]): each row's parameters and drivers
/// gathered from their columns, the mapping run on them, its loads
/// scattered into theirs. Every load slot is written: a load the mapping
/// leaves alone is 0, as in a row-by-row batch.
#[doc(hidden)]
pub fn demand_columns_batch<P: SystemProfile>(
    draws: usize,
    parameters: &[f64],
    drivers: &[f64],
    loads: &mut [f64],
) -> Result<(), String> {
    let widths = P::DESCRIPTION.widths();
    let rows = shape_columns(widths, draws, parameters.len(), drivers.len(), loads.len())?;
    let (width_p, width_d, width_l) = widths;
    let n = rows * draws;
    if width_p.max(width_d).max(width_l) > WIDEST {
        let (mut own, mut row, mut out) =
            (vec![0.0; width_p], vec![0.0; width_d], vec![0.0; width_l]);
        return columns_row_by_row::<P>(
            draws,
            n,
            parameters,
            drivers,
            loads,
            (&mut own, &mut row, &mut out),
        );
    }
    let (mut own, mut row, mut out) = ([0.0; WIDEST], [0.0; WIDEST], [0.0; WIDEST]);
    let buffers = (&mut own[..width_p], &mut row[..width_d], &mut out[..width_l]);
    columns_row_by_row::<P>(draws, n, parameters, drivers, loads, buffers)
}

/// [`demand_columns_batch`]'s loop over the `n` rows, with a row's
/// parameters, drivers and loads gathered in the buffers given.
#[inline(always)]
fn columns_row_by_row<P: SystemProfile>(
    draws: usize,
    n: usize,
    parameters: &[f64],
    drivers: &[f64],
    loads: &mut [f64],
    (own, row, out): (&mut [f64], &mut [f64], &mut [f64]),
) -> Result<(), String> {
    for first in (0..n).step_by(draws.max(1)) {
        for j in 0..draws {
            let i = first + j;
            for (k, value) in own.iter_mut().enumerate() {
                *value = parameters[k * draws + j];
            }
            for (d, value) in row.iter_mut().enumerate() {
                *value = drivers[d * n + i];
            }
            out.fill(0.0);
            P::demand(own, row, out)?;
            for (l, &load) in out.iter().enumerate() {
                loads[l * n + i] = load;
            }
        }
    }
    Ok(())
}

/// The rows a draw of a batch laid out in columns holds, or why its slices
/// do not hold whole columns: `draws` values a parameter, and as many rows
/// of drivers and loads, a whole number of rows a draw.
#[doc(hidden)]
pub fn shape_columns(
    (parameters, drivers, loads): (usize, usize, usize),
    draws: usize,
    parameter_values: usize,
    driver_values: usize,
    load_slots: usize,
) -> Result<usize, String> {
    // Whole rows, a whole number of them a draw (none without draws).
    let rows = whole_rows((drivers, loads), driver_values, load_slots).and_then(|n| match draws {
        0 => (n == 0).then_some(0),
        _ => (n % draws == 0).then_some(n / draws),
    });
    let Some(rows) = rows.filter(|_| parameter_values == parameters * draws) else {
        return Err(format!(
            "batch shape: {draws} draws, {parameter_values} parameter values, {driver_values} driver values and {load_slots} load slots for columns of {parameters} parameters, {drivers} drivers and {loads} loads"
        ));
    };
    Ok(rows)
}

/// The number of rows `driver_values` holds, rows of `drivers` values
/// (at least one), where `load_slots` holds as many rows of `loads`.
fn whole_rows(
    (drivers, loads): (usize, usize),
    driver_values: usize,
    load_slots: usize,
) -> Option<usize> {
    let rows = driver_values.checked_div(drivers)?;
    (rows * drivers == driver_values && load_slots == rows * loads).then_some(rows)
}

/// The number of rows of a per-row-parameter batch, or why its slices do not
/// hold whole rows of (parameters, drivers, loads) of the given widths.
#[doc(hidden)]
pub fn shape_rows(
    (parameters, drivers, loads): (usize, usize, usize),
    parameter_values: usize,
    driver_values: usize,
    load_slots: usize,
) -> Result<usize, String> {
    let rows = whole_rows((drivers, loads), driver_values, load_slots);
    let Some(rows) = rows.filter(|rows| parameter_values == rows * parameters) else {
        return Err(format!(
            "batch shape: {parameter_values} parameter values, {driver_values} driver values and {load_slots} load slots for rows of {parameters} parameters, {drivers} drivers and {loads} loads"
        ));
    };
    Ok(rows)
}

/// Exports a [`SystemProfile`] implementation as the plugin's root module.
/// Call it once, at the root of a `cdylib` crate.
#[macro_export]
macro_rules! export_profile {
    ($profile:ty) => {
        $crate::export_profile!($profile, abi_version = $crate::ABI_VERSION);
    };
    // For the loader's own tests only: a plugin that claims another ABI.
    ($profile:ty, abi_version = $abi:expr) => {
        mod __headroom_export {
            use super::*;
            use $crate::abi_stable::std_types::{RResult, RSlice, RSliceMut, RString};
            use $crate::abi_stable::prefix_type::PrefixTypeTrait;

            extern "C" fn abi_version() -> u32 {
                $abi
            }

            extern "C" fn describe() -> RResult<$crate::FfiDescription, RString> {
                let description = <$profile as $crate::SystemProfile>::DESCRIPTION;
                $crate::catch(description.id, || Ok($crate::FfiDescription::from(&description)))
            }

            extern "C" fn demand(
                parameters: RSlice<'_, f64>,
                drivers: RSlice<'_, f64>,
                loads: RSliceMut<'_, f64>,
            ) -> RResult<(), RString> {
                $crate::exported_batch::<$profile>($crate::demand_batch::<$profile>, parameters, drivers, loads)
            }

            extern "C" fn demand_rows(
                parameters: RSlice<'_, f64>,
                drivers: RSlice<'_, f64>,
                loads: RSliceMut<'_, f64>,
            ) -> RResult<(), RString> {
                $crate::exported_batch::<$profile>($crate::demand_rows_batch::<$profile>, parameters, drivers, loads)
            }

            extern "C" fn demand_columns(
                draws: usize,
                parameters: RSlice<'_, f64>,
                drivers: RSlice<'_, f64>,
                mut loads: RSliceMut<'_, f64>,
            ) -> RResult<(), RString> {
                let id = <$profile as $crate::SystemProfile>::DESCRIPTION.id;
                $crate::catch(id, || {
                    $crate::demand_columns_batch::<$profile>(draws, parameters.as_slice(), drivers.as_slice(), loads.as_mut_slice())
                })
            }

            /// `cfg!` here reads the plugin crate's own build, not the
            /// plugin API's: the macro expands in the plugin.
            extern "C" fn optimised() -> bool {
                !cfg!(debug_assertions)
            }

            fn root_module() -> $crate::ProfileModRef {
                $crate::ProfileMod { abi_version, describe, demand, demand_rows, demand_columns, optimised }
                    .leak_into_prefix()
            }

            extern "C" fn erased_root_module() -> $crate::abi_stable::library::RootModuleResult {
                $crate::abi_stable::library::__call_root_module_loader(root_module)
            }

            /// The symbol abi_stable's loader looks up (the name is checked
            /// against `abi_stable::library::ROOT_MODULE_LOADER_NAME` by a test
            /// of the plugin API crate).
            #[no_mangle]
            #[allow(non_upper_case_globals)]
            pub static _1as_0lib_1header_0root_bmodule_bloader: $crate::abi_stable::library::LibHeader =
                // SAFETY: `erased_root_module` returns the `ProfileModRef` that
                // `root_module` builds, erased by abi_stable's own helper, which
                // is the contract `from_constructor` asks for.
                unsafe {
                    $crate::abi_stable::library::LibHeader::from_constructor::<$crate::ProfileModRef>(
                        erased_root_module,
                        $crate::abi_stable::library::CheckTypeLayout::Yes,
                    )
                };
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{Description, Driver, Load, SystemProfile};

    /// A profile wider than the stack buffers of a column batch (20
    /// parameters), whose second load it never writes.
    struct Wide;

    const PARAMETERS: &[&str] = &[
        "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11", "p12", "p13",
        "p14", "p15", "p16", "p17", "p18", "p19",
    ];

    impl SystemProfile for Wide {
        const DESCRIPTION: Description = Description {
            id: "wide",
            version: "0",
            source: "test",
            default_config: "",
            drivers: &[Driver { name: "users", unit: "users" }],
            parameters: PARAMETERS,
            loads: &[
                Load { tier: "a", dimension: "x", unit: "x" },
                Load { tier: "a", dimension: "y", unit: "y" },
            ],
        };

        fn demand(parameters: &[f64], drivers: &[f64], loads: &mut [f64]) -> Result<(), String> {
            // Each parameter weighted by its place, times the users.
            let weighted: f64 = parameters.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
            loads[0] = weighted * drivers[0];
            Ok(())
        }
    }

    #[test]
    fn a_column_batch_wider_than_its_buffers_gives_what_rows_give() {
        // 3 draws of 2 rows: draw j's parameter k is k + 10 j; row i has
        // i + 1 users.
        let (draws, n) = (3, 6);
        let parameters: Vec<f64> =
            (0..20).flat_map(|k| (0..draws).map(move |j| (k + 10 * j) as f64)).collect();
        let drivers: Vec<f64> = (1..=n).map(|users| users as f64).collect();
        let mut columns = vec![f64::NAN; 2 * n];
        super::demand_columns_batch::<Wide>(draws, &parameters, &drivers, &mut columns).unwrap();
        // The same rows, each with its draw's parameters, as a row batch.
        let own: Vec<f64> =
            (0..n).flat_map(|i| (0..20).map(move |k| (k + 10 * (i % draws)) as f64)).collect();
        let mut rows = vec![0.0; 2 * n];
        super::demand_rows_batch::<Wide>(&own, &drivers, &mut rows).unwrap();
        for i in 0..n {
            assert_eq!(columns[i], rows[2 * i], "row {i}");
            // The load the mapping leaves alone is 0, as in a row batch.
            assert_eq!((columns[n + i], rows[2 * i + 1]), (0.0, 0.0), "row {i}");
        }
        // Row 4 is draw 1's: the sum of k (k + 10) over k < 20 is 4,370,
        // times 5 users.
        assert_eq!(columns[4], 21_850.0);
    }

    #[test]
    fn per_row_batches_must_hold_whole_rows() {
        // Rows of 2 parameters, 3 drivers, 4 loads.
        assert_eq!(super::shape_rows((2, 3, 4), 4, 6, 8), Ok(2));
        assert_eq!(super::shape_rows((0, 3, 4), 0, 6, 8), Ok(2));
        assert!(super::shape_rows((2, 3, 4), 2, 6, 8).is_err());
        assert!(super::shape_rows((2, 3, 4), 4, 7, 8).is_err());
        assert!(super::shape_rows((2, 3, 4), 4, 6, 9).is_err());
        assert!(super::shape_rows((2, 0, 4), 0, 0, 0).is_err());
    }

    #[test]
    fn column_batches_must_hold_whole_columns() {
        // 2 draws of 3 rows: columns of 2 parameters, 1 driver, 4 loads.
        assert_eq!(super::shape_columns((2, 1, 4), 2, 4, 6, 24), Ok(3));
        assert_eq!(super::shape_columns((0, 1, 4), 2, 0, 6, 24), Ok(3));
        assert_eq!(super::shape_columns((2, 1, 4), 0, 0, 0, 0), Ok(0));
        // A parameter column short, rows not a whole number a draw, a load
        // slot over, no drivers at all, no draws for some rows.
        assert!(super::shape_columns((2, 1, 4), 2, 3, 6, 24).is_err());
        assert!(super::shape_columns((2, 1, 4), 4, 8, 6, 24).is_err());
        assert!(super::shape_columns((2, 1, 4), 2, 4, 6, 25).is_err());
        assert!(super::shape_columns((2, 0, 4), 2, 4, 0, 0).is_err());
        assert!(super::shape_columns((2, 1, 4), 0, 0, 6, 24).is_err());
    }

    #[test]
    fn exported_symbol_is_the_one_abi_stable_looks_up() {
        assert_eq!(
            abi_stable::library::ROOT_MODULE_LOADER_NAME,
            "_1as_0lib_1header_0root_bmodule_bloader"
        );
    }
}
