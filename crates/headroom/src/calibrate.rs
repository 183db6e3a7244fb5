//! `headroom calibrate`: a tier's capacity from a real load test.
//!
//! The load test is fitted with the USL; the capacity of one unit is the
//! peak the fit predicts: `X(N*)` for a throughput dimension (requests/s),
//! or `N*` itself for a concurrency dimension (concurrent users). The result
//! is a TOML layer, `<config dir>/<profile>.calibrated.toml`, merged over
//! `<profile>.toml` by every later plan, recording the file, the fit and the
//! value in `[calibrations.<tier>]`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::LayeredConfig;
use crate::simulate::Distribution;
use crate::{calc, Error};

/// What the capacity of a dimension measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Work a second: calibrated to the peak throughput X(N*).
    Throughput,
    /// Work in flight: calibrated to the peak concurrency N*.
    Concurrency,
    /// The load test's concurrency is the unit count (replicas): the fit is
    /// the tier's USL across units, written to `tiers.<tier>.scalability`.
    Units,
}

/// A calibration, as recorded in the configuration and the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// Load-test file it came from.
    pub file: String,
    /// Its format.
    pub format: String,
    /// Instance key calibrated.
    pub instance: String,
    /// Capacity dimension calibrated.
    pub dimension: String,
    /// `throughput` or `concurrency`.
    pub measure: String,
    /// The capacity written.
    pub value: f64,
    /// USL contention σ.
    pub sigma: f64,
    /// USL coherency κ.
    pub kappa: f64,
    /// USL single-unit throughput λ.
    pub lambda: f64,
    /// R² of the fit.
    pub r_squared: f64,
    /// N*, when the fit has a peak (κ > 0).
    #[serde(default)]
    pub peak_concurrency: Option<f64>,
    /// X(N*), or λ / σ when κ = 0.
    #[serde(default)]
    pub peak_throughput: Option<f64>,
    /// Points fitted.
    pub points: usize,
}

/// What to calibrate.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Tier key.
    pub tier: &'a str,
    /// Load-test file.
    pub file: &'a Path,
    /// Capacity dimension; the tier's only one when absent.
    pub dimension: Option<&'a str>,
    /// Instance key; the first of the ladder when absent.
    pub instance: Option<&'a str>,
    /// What the dimension measures.
    pub measure: Measure,
}

fn fail(profile: &str, message: String) -> Error {
    Error::Config { profile: profile.to_string(), message }
}

/// A calibration worked out, its layer not yet written.
#[derive(Debug, Clone)]
pub struct Calibrated {
    /// The calibration, as the layer records it.
    pub calibration: Calibration,
    /// The layer's file.
    pub path: PathBuf,
    /// The layer's new text.
    pub text: String,
    /// Where `headroom simulate` draws the calibrated capacity (an input of
    /// `[uncertainty.inputs]`): its key and its distribution rescaled to the
    /// calibrated value, as the layer now sets it.
    pub redrawn: Option<(String, Distribution)>,
    /// The fit itself, measurements included (for its chart).
    pub fit: calc::UslResult,
}

/// Fits the file and returns the calibration and the updated layer (not
/// yet written). A capacity that `[uncertainty.inputs]` draws is drawn
/// around the calibrated value from then on: its distribution scaled by the
/// calibrated value over the configured one, so that it keeps its spread
/// relative to its centre (a layer that names an input's distribution
/// replaces it whole). Without that, `headroom simulate` would go on drawing
/// the old figure while every plan used the new one.
pub fn calibrate(
    profile: &str,
    layered: &LayeredConfig,
    config_dir: &Path,
    request: &Request,
) -> Result<Calibrated, Error> {
    let config = &layered.config;
    let tier = config.tiers.get(request.tier).ok_or_else(|| {
        fail(
            profile,
            format!("unknown tier `{}`; tiers: {}", request.tier, config.tier_order.join(", ")),
        )
    })?;
    let instance = match request.instance {
        Some(key) => key.to_string(),
        None if tier.ladder.len() == 1 => tier.ladder[0].clone(),
        None => {
            return Err(fail(
                profile,
                format!(
                    "tier `{}` has a ladder of {} instances; name one with --instance ({})",
                    request.tier,
                    tier.ladder.len(),
                    tier.ladder.join(", ")
                ),
            ))
        }
    };
    let capacities = &tier
        .instances
        .get(&instance)
        .ok_or_else(|| {
            fail(profile, format!("tier `{}` has no instance `{instance}`", request.tier))
        })?
        .capacity;
    let dimension = match request.dimension {
        Some(d) if capacities.contains_key(d) => d.to_string(),
        Some(d) => {
            let known: Vec<&str> = capacities.keys().map(String::as_str).collect();
            return Err(fail(
                profile,
                format!(
                    "tier `{}` has no dimension `{d}`; dimensions: {}",
                    request.tier,
                    known.join(", ")
                ),
            ));
        }
        None if capacities.len() == 1 => capacities.keys().next().cloned().unwrap_or_default(),
        None => {
            let known: Vec<&str> = capacities.keys().map(String::as_str).collect();
            return Err(fail(
                profile,
                format!(
                    "tier `{}` has several dimensions; name one with --dimension ({})",
                    request.tier,
                    known.join(", ")
                ),
            ));
        }
    };
    // A fit that fails is this calibration's error, not a `calc` question's.
    let fit = calc::usl(&[request.file.to_path_buf()], &[], &[]).map_err(|e| match e {
        Error::Calc { message, .. } => {
            fail(profile, format!("calibrating tier `{}`: {message}", request.tier))
        }
        other => other,
    })?;
    let value = match (request.measure, fit.peak_concurrency, fit.peak_throughput) {
        (Measure::Throughput, Some(_), Some(x)) => x,
        (Measure::Concurrency, Some(n), Some(_)) => n,
        (Measure::Units, peak, _) => peak.unwrap_or(f64::MAX),
        _ => {
            return Err(fail(
                profile,
                format!(
                    "calibrating tier `{}`: {}: the fit has no throughput peak (κ = 0): the test never saturated; test to higher concurrency",
                    request.tier,
                    request.file.display()
                ),
            ))
        }
    };
    let format = fit
        .sources
        .first()
        .and_then(|s| s.split(" (").nth(1))
        .and_then(|s| s.split(',').next())
        .unwrap_or("")
        .to_string();
    let calibration = Calibration {
        file: request.file.display().to_string(),
        format,
        instance: instance.clone(),
        dimension: dimension.clone(),
        measure: match request.measure {
            Measure::Throughput => "throughput",
            Measure::Concurrency => "concurrency",
            Measure::Units => "units",
        }
        .to_string(),
        value,
        sigma: fit.sigma,
        kappa: fit.kappa,
        lambda: fit.lambda,
        r_squared: fit.r_squared,
        peak_concurrency: fit.peak_concurrency,
        peak_throughput: fit.peak_throughput,
        points: fit.points,
    };
    let path = config_dir.join(format!("{profile}.calibrated.toml"));
    let mut layer: toml::Table = match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| fail(profile, format!("{}: {e}", path.display())))?
        }
        Err(_) => toml::Table::new(),
    };
    let mut redrawn = None;
    if request.measure == Measure::Units {
        let mut usl = toml::Table::new();
        usl.insert("sigma".into(), toml::Value::Float(fit.sigma));
        usl.insert("kappa".into(), toml::Value::Float(fit.kappa));
        let source = format!("headroom calibrate of {}", request.file.display());
        usl.insert("source".into(), toml::Value::String(source));
        set(&mut layer, &["tiers", request.tier], "scalability", toml::Value::Table(usl));
    } else {
        let parents = ["tiers", request.tier, "instances", &instance, "capacity"];
        set(&mut layer, &parents, &dimension, toml::Value::Float(value));
        let key = format!("tiers.{}.instances.{instance}.capacity.{dimension}", request.tier);
        let drawn = config.uncertainty.as_ref().and_then(|u| u.inputs.get(&key));
        if let Some(drawn) = drawn {
            let scaled = drawn.scaled(value / capacities[&dimension]);
            let table = toml::Value::try_from(&scaled).map_err(|e| fail(profile, e.to_string()))?;
            set(&mut layer, &["uncertainty", "inputs"], &key, table);
            redrawn = Some((key, scaled));
        }
    }
    let record = toml::Value::try_from(&calibration).map_err(|e| fail(profile, e.to_string()))?;
    set(&mut layer, &["calibrations"], request.tier, record);
    let mut text = String::from(
        "# Written by `headroom calibrate`: capacities fitted from load tests, merged over\n# this profile's config. Rerun the command rather than editing by hand.\n",
    );
    text.push_str(&toml::to_string(&layer).map_err(|e| fail(profile, e.to_string()))?);
    Ok(Calibrated { calibration, path, text, redrawn, fit })
}

/// Sets `last` under the tables `parents` (made where missing).
fn set(table: &mut toml::Table, parents: &[&str], last: &str, value: toml::Value) {
    let mut current = table;
    for key in parents {
        let entry = current
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = entry else { return };
        current = next;
    }
    current.insert(last.to_string(), value);
}
